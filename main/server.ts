import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { API_EVENTS, API_METHODS } from '../preload/contract.ts';
import type { ApiResult, HandlerTable, JobEvents } from './engine/api/index.ts';
import type { ErrorCode } from './engine/errors.ts';

export interface ServerOptions {
  handlers: HandlerTable;
  /** The built renderer (out/renderer); when absent the server answers pages with how to build it. */
  staticDir: string;
  /** Job progress, streamed to every open `/api/events` connection. */
  events?: JobEvents;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** The address to open: the URL with its token. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const API_PREFIX = '/api/';
const EVENTS_PATH = '/api/events';
const KEEPALIVE_MS = 15_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function denied(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } } satisfies ApiResult<never>);
}

function tokenMatches(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Server-sent events: `event: jobs:progress` with the job snapshot as data. A comment line every 15 s keeps
 * proxies and the browser from timing the stream out.
 */
function openEventStream(req: IncomingMessage, res: ServerResponse, events: JobEvents | undefined): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': connected\n\n');
  const unsubscribe = events?.subscribe((snapshot) => {
    res.write(`event: ${API_EVENTS.jobsProgress}\ndata: ${JSON.stringify(snapshot)}\n\n`);
  });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  req.on('close', () => {
    clearInterval(keepalive);
    unsubscribe?.();
  });
}

/**
 * Browser mode: the same API as the desktop app's IPC, over HTTP on 127.0.0.1 only. Every API request must
 * carry the random token (Authorization: Bearer …; the event stream, which EventSource opens without headers,
 * takes it as `?token=`); a request from another Origin or for another Host (DNS rebinding) is refused before
 * any handler runs.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const routes = new Map<string, HandlerTable[string][string]>();
  for (const [capability, verbs] of Object.entries(API_METHODS)) {
    for (const verb of verbs)
      routes.set(`${API_PREFIX}${capability}/${verb}`, options.handlers[capability][verb]);
  }
  const hasStatic = existsSync(options.staticDir);
  const serveStatic = hasStatic
    ? sirv(options.staticDir, { dev: false, etag: true, single: true })
    : undefined;
  let origin = '';
  let allowedHosts: string[] = [];

  const server: Server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts.includes(host))
      return denied(res, 421, 'UNAUTHORIZED', `host "${host}" is not served here`);
    const reqOrigin = req.headers.origin;
    if (
      reqOrigin !== undefined &&
      reqOrigin !== origin &&
      reqOrigin !== origin.replace('127.0.0.1', 'localhost')
    ) {
      return denied(res, 403, 'UNAUTHORIZED', 'cross-origin requests are refused');
    }
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (path === EVENTS_PATH) {
      if (!tokenMatches(new URLSearchParams(query).get('token') ?? undefined, token))
        return denied(res, 401, 'UNAUTHORIZED', 'missing or wrong token');
      if (req.method !== 'GET') return denied(res, 405, 'INVALID_ARGUMENT', 'the event stream takes GET');
      return openEventStream(req, res, options.events);
    }
    if (path.startsWith(API_PREFIX)) {
      const auth = req.headers.authorization;
      const given = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      if (!tokenMatches(given, token)) return denied(res, 401, 'UNAUTHORIZED', 'missing or wrong token');
      const route = routes.get(path);
      if (!route) return denied(res, 404, 'NOT_FOUND', `no API method ${path.slice(API_PREFIX.length)}`);
      if (req.method !== 'POST') return denied(res, 405, 'INVALID_ARGUMENT', 'API methods take POST');
      void (async () => {
        let payload: unknown;
        try {
          payload = await readBody(req);
        } catch (err) {
          return denied(res, 400, 'INVALID_ARGUMENT', `unreadable request body: ${(err as Error).message}`);
        }
        let body: string;
        try {
          body = JSON.stringify(await route.run(payload));
        } catch (err) {
          return denied(res, 500, 'INTERNAL', `the answer could not be sent: ${(err as Error).message}`);
        }
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'Cache-Control': 'no-store',
        });
        res.end(body);
      })();
      return;
    }
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!serveStatic) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`The renderer is not built (${options.staticDir} is missing). Run: npm run build\n`);
      return;
    }
    serveStatic(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: origin,
    openUrl: `${origin}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
