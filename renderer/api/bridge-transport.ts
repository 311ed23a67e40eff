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

  const authHeaders = (session: string | null): Record<string, string> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (session) headers[bridgeSessionHeader] = session;
    return headers;
  };

  return {
    kind: 'browser',
    async call(name, input, session) {
      const headers = { ...authHeaders(session), 'content-type': 'application/json' };
      const response = await fetch(`${bridgePaths.callPrefix}${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input ?? {}),
      });
      return response.json();
    },
    upload(file, session, onProgress) {
      // XMLHttpRequest rather than fetch: only it tells how much of the body has gone out.
      return new Promise((resolve, reject) => {
        const request = new XMLHttpRequest();
        request.open('POST', bridgePaths.upload);
        for (const [name, value] of Object.entries(authHeaders(session))) request.setRequestHeader(name, value);
        request.setRequestHeader('content-type', 'application/octet-stream');
        request.responseType = 'json';
        request.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
        };
        request.onload = () => resolve(request.response);
        request.onerror = () => reject(new Error('the upload did not reach the station'));
        request.send(file);
      });
    },
    async jobResult(jobId, session, passcode) {
      // A passcode goes in a POST body, never in the URL, which ends up in logs.
      const response = await fetch(`${bridgePaths.jobsPrefix}${encodeURIComponent(jobId)}/result.zip`, {
        headers:
          passcode === undefined
            ? authHeaders(session)
            : { ...authHeaders(session), 'content-type': 'application/json' },
        ...(passcode === undefined ? {} : { method: 'POST', body: JSON.stringify({ passcode }) }),
      });
      if (!response.ok || (response.headers.get('content-type') ?? '').startsWith('application/json')) {
        return { answer: await response.json() };
      }
      const disposition = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
      return { file: await response.blob(), fileName: disposition?.[1] ?? `trustline-job-${jobId}.zip` };
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
