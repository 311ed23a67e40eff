/** How the renderer reaches the core: Electron's preload or the loopback bridge. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  /** `session` is the token auth.signIn handed out; absent before anyone signs in. */
  call(name: string, input: unknown, session: string | null): Promise<unknown>;
  subscribe(listener: (envelope: unknown) => void): () => void;
}
