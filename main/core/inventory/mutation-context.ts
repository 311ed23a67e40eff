/** Who makes a change and when; every write carries one into its audit entry. */
export interface MutationContext {
  actor: string;
  now?: () => Date;
}

export const timestamp = (ctx: MutationContext): string => (ctx.now ? ctx.now() : new Date()).toISOString();
