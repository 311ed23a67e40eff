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
} from '../../preload/contract';
import type { Transport } from './transport';

export interface Client {
  readonly kind: Transport['kind'];
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
}

/** The renderer's typed view of the contract. Answers are checked too: the UI trusts no wire. */
export function createClient(transport: Transport): Client {
  return {
    kind: transport.kind,
    async call(name, input) {
      let raw: unknown;
      try {
        raw = await transport.call(name, input);
      } catch (error) {
        return {
          ok: false,
          error: { code: 'TRANSPORT_FAILED', message: `The station did not answer: ${String(error)}` },
        };
      }
      const parsed = resultSchema(calls[name].output).safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          error: { code: 'TRANSPORT_FAILED', message: 'The station sent an answer this screen cannot read.' },
        };
      }
      return parsed.data as Result<CallOutput<typeof name>>;
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
