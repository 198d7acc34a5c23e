// The HTTP + WebSocket server of `autoresearch serve`: the built renderer and the Api of one Studio, on
// 127.0.0.1 only, behind a random token. See protocol.ts for the message protocol and auth.ts for who
// may connect.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Studio } from '../../core/studio/studio.js';
import { CONTENT_SECURITY_POLICY, CSP_HEADER_EXTRA } from '../../shared/csp.js';
import { TOKEN_PARAM, WS_PATH } from '../../shared/ws-protocol.js';
import { authorize, newToken, requestTarget } from './auth.js';
import { CLOSE_TOO_SLOW, MAX_BUFFERED_BYTES, MAX_MESSAGE_BYTES, handleFrame } from './protocol.js';
import { openStatic, resolveStatic } from './static-files.js';

/** Loopback only, by design: the token is the only other protection, so never listen on a network. */
export const SERVE_HOST = '127.0.0.1';

export interface ServeOptions {
  readonly studio: Studio;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Tests may fix it; otherwise 256 random bits. */
  readonly token?: string;
}

export interface RunningServer {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:PORT/?token=... */
  readonly url: string;
  /** Open WebSocket connections (for tests and the shutdown message). */
  connections(): number;
  /** Stop accepting, close sockets; does not dispose the studio. */
  close(): Promise<void>;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; ${CSP_HEADER_EXTRA}`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const rendererDir = path.resolve(options.rendererDir);
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let port = 0;

  const server = http.createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The page and its assets need no token; the Api (the WebSocket below) does. No cookie is ever set.
    const auth = authorize(req, { token, port }, 'page');
    if (!auth.ok) return send(res, auth.status, auth.message);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'Only GET and HEAD; the Api is on the WebSocket.');
    }
    const url = requestTarget(req.url);
    if (!url) return send(res, 400, 'Bad request target.');
    if (url.pathname === WS_PATH) return send(res, 426, 'This is the WebSocket endpoint; connect with a WebSocket.');
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      return send(res, 503, `The UI is not built (${rendererDir} has no index.html). Run \`npm run build\` in the app folder, then reload.`);
    }
    const found = await resolveStatic(rendererDir, url.pathname);
    if (!found.ok) return send(res, found.status, found.message);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': found.type,
      'Content-Length': String(found.size),
      // index.html names hashed assets; it must be re-read, the assets may be cached.
      'Cache-Control': found.file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = openStatic(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  // Everything on this path runs before authentication and outside any request handler: an exception here
  // would end the process, and with it a live run (its GPU jobs orphaned). So nothing may throw.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const auth = authorize(req, { token, port }, 'token');
      if (!auth.ok) return refuseUpgrade(socket, auth.status, auth.message);
      if (requestTarget(req.url)?.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found');
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
    } catch {
      refuseUpgrade(socket, 400, 'Bad request');
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function accept(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? '' : data.toString();
      void handleFrame(options.studio, frame).then((response) => sendTo(ws, JSON.stringify(response)));
    });
  }

  function sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // Dropping a push would leave the client silently wrong; closing makes it reconnect and catch up.
      ws.close(CLOSE_TOO_SLOW, 'Too far behind; reconnect and catch up with eventsSince');
      return;
    }
    ws.send(text);
  }

  const offEvent = options.studio.onEvent((event) => {
    if (sockets.size === 0) return;
    const text = JSON.stringify({ event });
    for (const ws of sockets) sendTo(ws, text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: SERVE_HOST, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${SERVE_HOST}:${port}/?${TOKEN_PARAM}=${token}`,
    connections: () => sockets.size,
    async close() {
      offEvent();
      for (const ws of sockets) ws.close(1001, 'Server shutting down');
      // Sockets that do not finish the closing handshake promptly are cut.
      const deadline = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, 1_000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      clearTimeout(deadline);
    },
  };
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${message}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) return void socket.destroy();
  const reason = http.STATUS_CODES[status] ?? 'Refused';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}
