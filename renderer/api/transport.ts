/** A job's result as the transport fetched it: the file, or the station's answer when there is none. */
export type FileAnswer = { file: Blob; fileName: string } | { answer: unknown };

/** How the renderer reaches the core: Electron's preload or the loopback bridge. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  /** `session` is the token auth.signIn handed out; absent before anyone signs in. */
  call(name: string, input: unknown, session: string | null): Promise<unknown>;
  subscribe(listener: (envelope: unknown) => void): () => void;
  /**
   * Sends a batch job's input file to the station; answers the station's Result with
   * { uploadId }. `onProgress` hears the share sent so far (0…1) where the transport can tell.
   */
  upload(file: Blob, session: string | null, onProgress?: (sent: number) => void): Promise<unknown>;
  /** Fetches a batch job's result ZIP; with a passcode, as CMS under it (…-result.zip.p7m). */
  jobResult(jobId: string, session: string | null, passcode?: string): Promise<FileAnswer>;
}
