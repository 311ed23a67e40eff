/**
 * An HTTP proxy between a station and the central server that misbehaves on request: refuses
 * the connection, answers 500, is slow, or forwards the request and then drops the answer (the
 * server applied the push, the station never hears it). Its URL stays put while the server
 * behind it is stopped, restarted or swapped for another instance.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** Closes the connection without forwarding: the request never reached the server. */
  | { kind: 'reset' }
  /** Answers 500 itself without forwarding. */
  | { kind: 'status-500' }
  /** Forwards, waits for the server's answer, then closes the connection instead of answering. */
  | { kind: 'drop-response' }
  /** Waits this long, then forwards and answers. */
  | { kind: 'delay'; ms: number }
  /** Forwards and calls `during` while the server works on it (e.g. to kill the server). */
  | { kind: 'during'; run: () => void };

export interface ProxiedRequest {
  n: number;
  method: string;
  path: string;
}

export interface FaultProxy {
  readonly url: string;
  /** Decides each request's fate; the default passes everything. */
  plan(decide: (request: ProxiedRequest) => Fault): void;
  /** Where requests go; null answers like a server that is down (connection closed). */
  target(url: string | null): void;
  /** Every request seen, with what was done to it. */
  readonly log: Array<ProxiedRequest & { fault: Fault['kind']; status: number | null }>;
  close(): Promise<void>;
}

export async function startFaultProxy(initialTarget: string | null): Promise<FaultProxy> {
  let targetUrl = initialTarget;
  let decide: (request: ProxiedRequest) => Fault = () => ({ kind: 'pass' });
  const log: FaultProxy['log'] = [];
  let count = 0;

  const forward = (method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      if (!targetUrl) {
        reject(new Error('no server behind the proxy'));
        return;
      }
      const upstream = http.request(
        new URL(path, targetUrl),
        { method, headers: { ...headers, host: new URL(targetUrl).host } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        count += 1;
        const request = { n: count, method: req.method ?? 'GET', path: req.url ?? '/' };
        const fault = decide(request);
        const entry = { ...request, fault: fault.kind, status: null as number | null };
        log.push(entry);
        if (fault.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault.kind === 'status-500') {
          entry.status = 500;
          res.writeHead(500, { 'content-type': 'text/plain' }).end('proxy says: internal error');
          return;
        }
        if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
        try {
          const pending = forward(request.method, request.path, req.headers, Buffer.concat(chunks));
          if (fault.kind === 'during') fault.run();
          const answer = await pending;
          entry.status = answer.status;
          if (fault.kind === 'drop-response') {
            req.socket.destroy();
            return;
          }
          // The body goes back whole with its length: hop-by-hop framing headers do not travel.
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          delete headers.connection;
          res.writeHead(answer.status, headers).end(answer.body);
        } catch {
          // The server is down or died mid-request: to the station it is a dropped connection.
          req.socket.destroy();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan(next) {
      decide = next;
    },
    target(url) {
      targetUrl = url;
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
