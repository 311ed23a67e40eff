import { z } from 'zod';
import {
  type CallInput,
  type CallName,
  type CallOutput,
  calls,
  eventEnvelopeSchema,
  type EventName,
  type EventPayload,
  events,
  resultSchema,
  type Result,
  type StationErrorShape,
} from '../../preload/contract';
import type { Transport } from './transport';

/** The two refusals that mean "this page's session is not usable": the auth screens take over. */
export type AuthErrorCode = 'SESSION_LOCKED' | 'UNAUTHENTICATED';
const authErrorCodes: ReadonlySet<string> = new Set<AuthErrorCode>(['SESSION_LOCKED', 'UNAUTHENTICATED']);

export interface Client {
  readonly kind: Transport['kind'];
  /** Every later call presents this session token (null: signed out). */
  setSession(token: string | null): void;
  /**
   * Told whenever a call (other than auth.*, whose callers read their own answers) is refused
   * because the session is locked or gone, so no store has to check for that itself.
   */
  onAuthError(listener: (code: AuthErrorCode) => void): () => void;
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
  /** Sends a batch job's input file (jobs.run); `onProgress` hears the share sent (0…1). */
  upload(file: Blob, onProgress?: (sent: number) => void): Promise<Result<{ uploadId: string }>>;
  /** A batch job's result ZIP (jobs.run); with a passcode, as CMS under it. */
  jobResult(jobId: string, passcode?: string): Promise<Result<{ file: Blob; fileName: string }>>;
}

const uploadAnswer = resultSchema(z.object({ uploadId: z.string() }));
const refusalAnswer = resultSchema(z.never());

const transportFailed = (error: unknown): { ok: false; error: StationErrorShape } => ({
  ok: false,
  error: { code: 'TRANSPORT_FAILED', message: `The station did not answer: ${String(error)}` },
});
const unreadable: { ok: false; error: StationErrorShape } = {
  ok: false,
  error: { code: 'TRANSPORT_FAILED', message: 'The station sent an answer this screen cannot read.' },
};

/** The renderer's typed view of the contract. Answers are checked too: the UI trusts no wire. */
export function createClient(transport: Transport, session: string | null = null): Client {
  let current = session;
  const authListeners = new Set<(code: AuthErrorCode) => void>();
  const tellAuthError = (error: StationErrorShape) => {
    if (authErrorCodes.has(error.code)) for (const listener of authListeners) listener(error.code as AuthErrorCode);
  };
  return {
    kind: transport.kind,
    setSession(token) {
      current = token;
    },
    onAuthError(listener) {
      authListeners.add(listener);
      return () => authListeners.delete(listener);
    },
    async call(name, input) {
      let raw: unknown;
      try {
        raw = await transport.call(name, input, current);
      } catch (error) {
        return transportFailed(error);
      }
      const parsed = resultSchema(calls[name].output).safeParse(raw);
      if (!parsed.success) return unreadable;
      const result = parsed.data as Result<CallOutput<typeof name>>;
      if (!result.ok && !name.startsWith('auth.')) tellAuthError(result.error);
      return result;
    },
    async upload(file, onProgress) {
      let raw: unknown;
      try {
        raw = await transport.upload(file, current, onProgress);
      } catch (error) {
        return transportFailed(error);
      }
      const parsed = uploadAnswer.safeParse(raw);
      if (!parsed.success) return unreadable;
      if (!parsed.data.ok) tellAuthError(parsed.data.error);
      return parsed.data;
    },
    async jobResult(jobId, passcode) {
      let answer: Awaited<ReturnType<Transport['jobResult']>>;
      try {
        answer = await (passcode === undefined
          ? transport.jobResult(jobId, current)
          : transport.jobResult(jobId, current, passcode));
      } catch (error) {
        return transportFailed(error);
      }
      if ('file' in answer) return { ok: true, value: answer };
      const parsed = refusalAnswer.safeParse(answer.answer);
      if (!parsed.success || parsed.data.ok) return unreadable;
      tellAuthError(parsed.data.error);
      return { ok: false, error: parsed.data.error };
    },
    on(name, listener) {
      return transport.subscribe((raw) => {
        const envelope = eventEnvelopeSchema.safeParse(raw);
        if (!envelope.success || envelope.data.name !== name) return;
        const payload = events[name].payload.safeParse(envelope.data.payload);
        if (payload.success) listener(payload.data as EventPayload<typeof name>);
      });
    },
  };
}

let current: Client | null = null;

export function setClient(client: Client): void {
  current = client;
}

/** The client chosen at start-up (see main.tsx). */
export function client(): Client {
  if (!current) throw new Error('The station client is not set up yet.');
  return current;
}
