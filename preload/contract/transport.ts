/**
 * Names shared by the transports. Kept here so the Electron adapter, the preload and the
 * loopback bridge cannot drift apart.
 */
export const ipcChannels = {
  call: 'trustline:call',
  event: 'trustline:event',
  /** A batch job's input file, as bytes; answers a Result with { uploadId }. */
  upload: 'trustline:upload',
  /** A batch job's result ZIP (CMS under a passcode when one is given), as bytes in a Result. */
  jobResult: 'trustline:job-result',
} as const;

export const bridgePaths = {
  /** POST a batch job's input file (raw bytes); answers { uploadId }. */
  upload: '/api/upload',
  /**
   * GET /api/jobs/<id>/result.zip: a job's result ZIP. POST with a JSON body { passcode } gives it
   * as CMS EnvelopedData under that passcode (trustline-job-<id>-result.zip.p7m) instead.
   */
  jobsPrefix: '/api/jobs/',
  callPrefix: '/api/call/',
  events: '/api/events',
} as const;

/** The header that carries a signed-in session on the bridge (the launch token stays in authorization). */
export const bridgeSessionHeader = 'x-trustline-session';

/** API tokens start with this, so the bridge can tell them from the launch token. */
export const apiTokenPrefix = 'tlt_';

/** The WebSocket subprotocol carries the launch token: browsers cannot set headers on a WebSocket. */
export const bridgeTokenProtocolPrefix = 'trustline.token.';

/** The API the preload exposes on `window.trustline`; the renderer's client wraps it. */
export interface PreloadApi {
  call(name: string, input: unknown, session?: string | null): Promise<unknown>;
  on(listener: (envelope: unknown) => void): () => void;
  /** Stages a batch job's input file; answers a Result with { uploadId }. */
  upload(bytes: Uint8Array, session?: string | null): Promise<unknown>;
  /**
   * A job's result ZIP; answers a Result with { fileName, bytes }. With a passcode the bytes are
   * CMS EnvelopedData under it around the ZIP (…-result.zip.p7m).
   */
  jobResult(jobId: string, session?: string | null, passcode?: string): Promise<unknown>;
}
