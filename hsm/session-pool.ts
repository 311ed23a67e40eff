import { KeyStoreError } from './key-store';

/**
 * Hands out PKCS#11 sessions one operation at a time. A session runs one cryptographic
 * operation at once (a second C_SignInit gets CKR_OPERATION_ACTIVE), so callers take a session,
 * run their whole operation, and give it back; when all are busy they wait in arrival order.
 */
export class SessionPool<Session> {
  private readonly free: Session[];
  private readonly waiting: Array<{ resolve: (session: Session) => void; reject: (error: Error) => void }> = [];
  private busy = 0;
  private closed = false;
  private drained: (() => void) | null = null;

  constructor(sessions: readonly Session[]) {
    this.free = [...sessions];
  }

  async use<T>(operation: (session: Session) => Promise<T> | T): Promise<T> {
    const session = await this.take();
    try {
      return await operation(session);
    } finally {
      this.give(session);
    }
  }

  /** Stops handing out sessions, fails the queue, and resolves once every session is back. */
  async drain(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError());
    if (this.busy === 0) return;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
    });
  }

  private take(): Promise<Session> {
    if (this.closed) return Promise.reject(closedError());
    const session = this.free.shift();
    if (session !== undefined) {
      this.busy += 1;
      return Promise.resolve(session);
    }
    return new Promise<Session>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
  }

  private give(session: Session): void {
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) {
      // Handed straight over: `busy` stays the same.
      next.resolve(session);
      return;
    }
    this.busy -= 1;
    this.free.push(session);
    if (this.busy === 0 && this.drained) {
      this.drained();
      this.drained = null;
    }
  }
}

function closedError(): KeyStoreError {
  return new KeyStoreError('HSM_FAILURE', 'the key store is closed');
}
