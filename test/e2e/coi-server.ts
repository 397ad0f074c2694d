/**
 * A small static server for a production build, in-process: with `isolate`, every response
 * carries `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
 * require-corp` (what a host must send for the threads engine); without, it is a plain host.
 * Unlike `vite preview`, an unknown path is a 404, not index.html.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.parquet': 'application/octet-stream',
};

export function mimeOf(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under `root` that a URL path names (a directory means its index.html); null outside root. */
export function fileFor(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const base = resolve(root);
  const path = normalize(join(base, decoded.endsWith('/') ? `${decoded}index.html` : decoded));
  return path === base || path.startsWith(base + sep) ? path : null;
}

export interface StaticServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStaticServer(root: string, options: { isolate: boolean }): Promise<StaticServer> {
  const extra = options.isolate ? ISOLATION_HEADERS : {};
  const server: Server = createServer((req, res) => {
    const path = fileFor(root, new URL(req.url ?? '/', 'http://x').pathname);
    let size = -1;
    try {
      if (path) {
        const st = statSync(path);
        if (st.isFile()) size = st.size;
      }
    } catch {
      size = -1;
    }
    if (!path || size < 0 || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...extra }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': mimeOf(path), 'Content-Length': String(size), 'Cache-Control': 'no-cache', ...extra });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
