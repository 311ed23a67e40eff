import type { Pool } from 'pg';
import { z } from 'zod';
import type { Permission } from '../auth/permissions';
import type { Principal, StationPrincipal, UserPrincipal } from '../auth/principal';
import { ServerError } from '../errors';

/**
 * Who may call a route: anyone, an enrolled station, any user with a valid API token, or a user
 * holding one permission.
 */
export type Access = 'public' | 'station' | 'user' | Permission;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type PrincipalFor<A extends Access> = A extends 'public'
  ? null
  : A extends 'station'
    ? StationPrincipal
    : UserPrincipal;

export interface RouteContext<A extends Access, B, Q> {
  principal: PrincipalFor<A>;
  params: Record<string, string>;
  body: B;
  query: Q;
  db: Pool;
}

const noQuery = z.object({});
type NoQuery = typeof noQuery;

export interface RouteSpec<A extends Access, R extends z.ZodType, B extends z.ZodType, Q extends z.ZodObject> {
  method: HttpMethod;
  /** With `{name}` placeholders, as OpenAPI writes them. */
  path: string;
  access: A;
  summary: string;
  body?: B;
  query?: Q;
  response: R;
  /** The success status; 200 unless said. */
  status?: number;
  /** Runs on the parsed JSON before the schema, for refusals that must not read as a schema error. */
  preflight?: (raw: unknown) => void;
  handle(context: RouteContext<A, z.output<B>, z.output<Q>>): Promise<z.input<R>>;
}

/** What the router, the access check and the OpenAPI document read: the handler's types are checked where it is declared. */
export interface Route {
  method: HttpMethod;
  path: string;
  access: Access;
  summary: string;
  body: z.ZodType | undefined;
  query: z.ZodObject | undefined;
  response: z.ZodType;
  status: number;
  run(input: {
    principal: Principal | null;
    params: Record<string, string>;
    body: unknown;
    query: unknown;
    db: Pool;
  }): Promise<unknown>;
}

export function badRequest(error: z.ZodError, where: string): ServerError {
  return new ServerError('BAD_REQUEST', `The ${where} does not match the schema.`, {
    issues: error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });
}

function principalFor<A extends Access>(access: A, principal: Principal | null): PrincipalFor<A> {
  // The dispatcher has already checked this; the check here is what lets the handler's type be exact.
  if (access === 'public') return null as PrincipalFor<A>;
  if (access === 'station' ? principal?.kind === 'station' : principal?.kind === 'user') {
    return principal as PrincipalFor<A>;
  }
  throw new ServerError('INTERNAL', 'route called without the principal its access requires');
}

export function defineRoute<
  A extends Access,
  R extends z.ZodType,
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodObject = NoQuery,
>(spec: RouteSpec<A, R, B, Q>): Route {
  return {
    method: spec.method,
    path: spec.path,
    access: spec.access,
    summary: spec.summary,
    body: spec.body,
    query: spec.query,
    response: spec.response,
    status: spec.status ?? 200,
    async run(input) {
      spec.preflight?.(input.body);
      const body = spec.body ? spec.body.safeParse(input.body) : { success: true as const, data: undefined };
      if (!body.success) throw badRequest(body.error, 'request body');
      const query = (spec.query ?? noQuery).safeParse(input.query);
      if (!query.success) throw badRequest(query.error, 'query');
      return spec.handle({
        principal: principalFor(spec.access, input.principal),
        params: input.params,
        body: body.data as z.output<B>,
        query: query.data as z.output<Q>,
        db: input.db,
      });
    },
  };
}

/** A list page: keyset paging, `next` is the cursor to pass as `after`, null on the last page. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), next: z.string().nullable() });

export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

/** Takes the extra row a list query fetched beyond `limit` as the sign that another page exists. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  item: (row: Row) => Item,
  cursor: (row: Row) => string,
): { items: Item[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(item), next: rows.length > limit && last !== undefined ? cursor(last) : null };
}

export const uuidParam = (params: Record<string, string>, name = 'id'): string => {
  const value = params[name] ?? '';
  if (!z.string().uuid().safeParse(value).success) throw new ServerError('NOT_FOUND', `No such ${name}.`);
  return value;
};

export const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());
