/**
 * A bidirectional byte stream to one device: a serial port, a USB CDC-ACM port, or (in tests and
 * the simulator) one end of a PTY pair. The protocol layers above see only this, so they never
 * depend on how the bytes travel.
 */
export interface ByteLink {
  /** Resolves once the bytes have been handed to the operating system (drained). */
  write(data: Buffer): Promise<void>;
  /** Calls `listener` with every chunk received, in order, cut anyhow. Returns an unsubscribe. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Calls `listener` once when the link closes: with an error when it was lost (cable pulled). */
  onClose(listener: (error?: Error) => void): () => void;
  close(): Promise<void>;
  readonly path: string;
}
