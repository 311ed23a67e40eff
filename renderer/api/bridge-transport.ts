import { bridgePaths, bridgeSessionHeader, bridgeTokenProtocolPrefix } from '../../preload/contract';
import type { Transport } from './transport';

const tokenKey = 'trustline.launchToken';

/**
 * Takes the launch token from the URL fragment (`#token=…`) and keeps it for this tab only, then
 * removes it from the address bar so it is not copied around by accident.
 */
export function takeLaunchToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(tokenKey, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(tokenKey);
}

export function bridgeTransport(token: string): Transport {
  const listeners = new Set<(envelope: unknown) => void>();
  let socket: WebSocket | null = null;
  let retryMs = 500;

  const connect = () => {
    const url = new URL(bridgePaths.events, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url, [`${bridgeTokenProtocolPrefix}${token}`]);
    socket.onopen = () => {
      retryMs = 500;
    };
    socket.onmessage = (message) => {
      let envelope: unknown;
      try {
        envelope = JSON.parse(String(message.data));
      } catch {
        return;
      }
      for (const listener of listeners) listener(envelope);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size === 0) return;
      // The station may be restarting: keep trying, without hammering it.
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };

  return {
    kind: 'browser',
    async call(name, input, session) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      if (session) headers[bridgeSessionHeader] = session;
      const response = await fetch(`${bridgePaths.callPrefix}${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input ?? {}),
      });
      return response.json();
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}
