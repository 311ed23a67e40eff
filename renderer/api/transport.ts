/** How the renderer reaches the core: Electron's preload or the loopback bridge. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  call(name: string, input: unknown): Promise<unknown>;
  subscribe(listener: (envelope: unknown) => void): () => void;
}
