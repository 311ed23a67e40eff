/**
 * Names shared by the transports. Kept here so the Electron adapter, the preload and the
 * loopback bridge cannot drift apart.
 */
export const ipcChannels = {
  call: 'trustline:call',
  event: 'trustline:event',
} as const;

export const bridgePaths = {
  callPrefix: '/api/call/',
  events: '/api/events',
} as const;

/** The WebSocket subprotocol carries the launch token: browsers cannot set headers on a WebSocket. */
export const bridgeTokenProtocolPrefix = 'trustline.token.';

/** The API the preload exposes on `window.trustline`; the renderer's client wraps it. */
export interface PreloadApi {
  call(name: string, input: unknown): Promise<unknown>;
  on(listener: (envelope: unknown) => void): () => void;
}
