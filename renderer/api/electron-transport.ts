import type { PreloadApi } from '../../preload/contract';
import type { Transport } from './transport';

declare global {
  interface Window {
    trustline?: PreloadApi;
  }
}

export function electronTransport(api: PreloadApi): Transport {
  return {
    kind: 'electron',
    call: (name, input, session) => api.call(name, input, session),
    subscribe: (listener) => api.on(listener),
  };
}
