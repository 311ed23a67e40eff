import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  apiTokenPrefix,
  bridgePaths,
  bridgeSessionHeader,
  bridgeTokenProtocolPrefix,
  issuesFromZod,
  jobResultInput,
  type Result,
  type StationErrorShape,
} from '../../../preload/contract';
import type { CallContext } from '../api/call-context';
import { assertAllowed, type Dispatch } from '../api/dispatcher';
import type { EventHub } from '../events/event-hub';
import { contentSecurityPolicy } from './content-security-policy';
import { isStationError, StationError } from '../errors/station-error';
import { resultFileName } from '../jobs/job-result';
import { httpStatusFor } from './http-status';
import { readStaticFile } from './static-files';

const maxBodyBytes = 1024 * 1024;
/** A 100,000-row CSV with CSRs is about 100 MB; a ZIP of CSRs about as much. */
const maxUploadBytes = 1024 * 1024 * 1024;

export interface LoopbackBridgeOptions {
  dispatch: Dispatch;
  hub: EventHub;
  /**
   * Who a call is from: the page's signed-in session, or an API token a script presents instead
   * of the launch token. Throws a StationError for a token that is unknown, revoked or expired.
   */
  authenticate: (credentials: { session?: string; apiToken?: string }) => CallContext;
  /** Batch job files: uploads stream into the station, results stream out. */
  jobs?: {
    stage(body: Readable, maxBytes: number): Promise<string>;
    /**
     * Calls `begin` just before the first byte, so errors before it can still be answered as JSON.
     * With a passcode the result is CMS EnvelopedData under it around the ZIP, and `begin` is told so.
     */
    writeResult(
      id: string,
      out: Writable,
      ctx: CallContext,
      begin: (result?: { encrypted: boolean }) => void,
      options?: { passcode?: string | undefined },
    ): Promise<unknown>;
  };
  /** The built renderer; without it only the API is served. */
  rendererDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Made fresh at each launch unless a test pins it. */
  token?: string;
}

export interface LoopbackBridge {
  readonly port: number;
  readonly origin: string;
  readonly token: string;
  /** What the operator opens: the token travels in the fragment, which browsers never send to a server. */
  readonly url: string;
  close(): Promise<void>;
}

const host = '127.0.0.1';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: StationErrorShape): void {
  const result: Result<never> = { ok: false, error };
  sendJson(res, httpStatusFor(error.code), result);
}

/** Reads a body up to `maxBodyBytes`; past that it stops buffering and reports 'too-large'. */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.off('data', onData);
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Serves the renderer and the contract to a browser on 127.0.0.1 only: HTTP POST for calls,
 * a WebSocket for events. Every API request must carry the launch token (and, past sign-in, its
 * session) or an API token, come from our own origin and name our own host (DNS-rebinding pages
 * name theirs).
 */
export async function startLoopbackBridge(options: LoopbackBridgeOptions): Promise<LoopbackBridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let origin = '';
  let csp = '';

  const hostAllowed = (req: IncomingMessage) => req.headers.host === origin.slice('http://'.length);
  const originAllowed = (req: IncomingMessage) => req.headers.origin === undefined || req.headers.origin === origin;

  /** The caller of an API request, or null once the refusal has been sent. */
  function caller(req: IncomingMessage, res: ServerResponse): CallContext | null {
    const bearer = (req.headers.authorization ?? '').startsWith('Bearer ')
      ? (req.headers.authorization ?? '').slice('Bearer '.length)
      : '';
    const apiToken = bearer.startsWith(apiTokenPrefix) ? bearer : undefined;
    if (apiToken === undefined && !sameToken(bearer, token)) {
      sendError(res, {
        code: 'UNAUTHENTICATED',
        message: 'Missing or wrong launch token or API token. Open the URL the station printed.',
      });
      return null;
    }
    try {
      const session = req.headers[bridgeSessionHeader];
      return options.authenticate(
        apiToken !== undefined ? { apiToken } : typeof session === 'string' ? { session } : {},
      );
    } catch (error) {
      if (!isStationError(error)) throw error;
      sendError(res, error.toShape());
      return null;
    }
  }

  /** Uploads and result downloads need jobs.run, checked here as the dispatcher checks calls. */
  function jobsCaller(req: IncomingMessage, res: ServerResponse): CallContext | null {
    const context = caller(req, res);
    if (!context) return null;
    try {
      assertAllowed(context, 'jobs.run', 'jobs.upload');
      return context;
    } catch (error) {
      if (!isStationError(error)) throw error;
      sendError(res, error.toShape());
      return null;
    }
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const context = jobsCaller(req, res);
    if (!context || !options.jobs) return;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendError(res, { code: 'INVALID_INPUT', message: 'Uploads are made with POST.' });
      return;
    }
    try {
      const uploadId = await options.jobs.stage(req, maxUploadBytes);
      sendJson(res, 200, { ok: true, value: { uploadId } });
    } catch (error) {
      if (!isStationError(error)) throw error;
      res.setHeader('connection', 'close');
      res.once('finish', () => req.destroy());
      sendError(res, error.toShape());
    }
  }

  /**
   * A job's result: GET gives the ZIP; POST with a JSON body { passcode } gives it as CMS under
   * that passcode. The passcode travels in the body, never the URL, which ends up in logs.
   */
  async function handleResult(req: IncomingMessage, res: ServerResponse, jobId: string): Promise<void> {
    const context = jobsCaller(req, res);
    if (!context || !options.jobs) return;
    let passcode: string | undefined;
    if (req.method === 'POST') {
      const body = await readJsonBody(req, res);
      if (body === undefined) return;
      const parsed = jobResultInput.safeParse(body);
      if (!parsed.success) {
        sendError(res, {
          code: 'INVALID_INPUT',
          message: `The result request is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}.`,
          step: 'job-result',
          issues: issuesFromZod(parsed.error),
        });
        return;
      }
      passcode = parsed.data.passcode;
    } else if (req.method !== 'GET') {
      res.setHeader('allow', 'GET, POST');
      sendError(res, { code: 'INVALID_INPUT', message: 'A job result is fetched with GET, or POST with a passcode.' });
      return;
    }
    const encrypted = passcode !== undefined;
    let started = false;
    try {
      await options.jobs.writeResult(
        jobId,
        res,
        context,
        (result) => {
          // A passcode lost between here and the job service (a wiring that does not pass it on)
          // must not become a ZIP in clear: refuse before the first byte.
          if (encrypted && result?.encrypted !== true) {
            throw new StationError('INTERNAL', 'The result could not be encrypted; nothing was sent.', {
              step: 'job-result',
            });
          }
          started = true;
          res.writeHead(200, {
            'content-type': encrypted ? 'application/pkcs7-mime; smime-type=enveloped-data' : 'application/zip',
            'content-disposition': `attachment; filename="${resultFileName(jobId, encrypted)}"`,
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          });
        },
        encrypted ? { passcode } : {},
      );
    } catch (error) {
      if (!isStationError(error) || started) throw error;
      sendError(res, error.toShape());
    }
  }

  /** A request's JSON body ({} when empty), or undefined once the refusal has been sent. */
  async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      sendError(res, { code: 'INVALID_INPUT', message: 'Calls carry a JSON body (content-type application/json).' });
      return undefined;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      // Answer, then drop the connection rather than read the rest of an oversized upload.
      res.setHeader('connection', 'close');
      res.once('finish', () => req.destroy());
      sendError(res, { code: 'INVALID_INPUT', message: `The request is larger than ${maxBodyBytes} bytes.` });
      return undefined;
    }
    try {
      return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      sendError(res, { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' });
      return undefined;
    }
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const context = caller(req, res);
    if (!context) return;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendError(res, { code: 'INVALID_INPUT', message: 'Calls are made with POST.' });
      return;
    }
    const input = await readJsonBody(req, res);
    if (input === undefined) return;
    const result = await options.dispatch(name, input, context);
    if (result.ok) sendJson(res, 200, result);
    else sendError(res, result.error);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = options.rendererDir ? await readStaticFile(options.rendererDir, pathname) : null;
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': file.body.length,
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req)) {
      sendError(res, { code: 'FORBIDDEN_ORIGIN', message: 'This station only answers on its own loopback address.' });
      return;
    }
    const isApi = url.pathname.startsWith('/api/');
    if (isApi && !originAllowed(req)) {
      sendError(res, { code: 'FORBIDDEN_ORIGIN', message: 'Calls are accepted only from the station page itself.' });
      return;
    }
    const result = /^\/api\/jobs\/([0-9a-f-]{36})\/result\.zip$/.exec(url.pathname);
    const work = url.pathname.startsWith(bridgePaths.callPrefix)
      ? handleCall(req, res, url.pathname.slice(bridgePaths.callPrefix.length))
      : url.pathname === bridgePaths.upload && options.jobs
        ? handleUpload(req, res)
        : result?.[1] && options.jobs
          ? handleResult(req, res, result[1])
          : isApi
            ? Promise.resolve(sendError(res, { code: 'UNKNOWN_CALL', message: `No API at ${url.pathname}.` }))
            : handleStatic(req, res, url.pathname);
    work.catch((error: unknown) => {
      console.error('bridge request failed', error);
      if (!res.headersSent) sendError(res, { code: 'INTERNAL', message: 'Unexpected station error.' });
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => {
      for (const protocol of protocols) {
        if (protocol.startsWith(bridgeTokenProtocolPrefix)) return protocol;
      }
      return false;
    },
  });
  const unsubscribe = options.hub.subscribe((envelope) => {
    const text = JSON.stringify(envelope);
    for (const client of sockets.clients) client.send(text);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const tokenOk = offered.some(
      (p) => p.startsWith(bridgeTokenProtocolPrefix) && sameToken(p.slice(bridgeTokenProtocolPrefix.length), token),
    );
    const refusal =
      url.pathname !== bridgePaths.events
        ? '404 Not Found'
        : !hostAllowed(req) || !originAllowed(req)
          ? '403 Forbidden'
          : !tokenOk
            ? '401 Unauthorized'
            : null;
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      // The event channel is one-way: anything a page sends is ignored, never dispatched.
      ws.on('message', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  csp = contentSecurityPolicy([`ws://${host}:${port}`]);

  return {
    port,
    origin,
    token,
    url: `${origin}/#token=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
