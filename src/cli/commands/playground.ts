import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { EXIT_OK, EXIT_USAGE, UsageError, type Io } from '../io.js';
import { packageFile } from '../package-file.js';

export interface PlaygroundOptions {
  port?: string;
  host?: string;
  /** The built playground; dist/playground of the package by default. */
  dir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.system': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The built playground of this package (`npm run playground` writes it). */
function defaultPlaygroundDir(): string {
  return join(dirname(packageFile('package.json')), 'dist', 'playground');
}

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve the static folder `dir` over HTTP on host:port (0: any free port). Only files inside
 * the folder are served; `/` is index.html.
 */
export function servePlayground(dir: string, host: string, port: number): Promise<{ ok: true; server: PlaygroundServer } | { ok: false; message: string }> {
  const root = normalize(dir);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if ((file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? `port ${port} is in use on ${host} (another server is running there): give another with --port`
          : e.code === 'EACCES'
            ? `port ${port} needs privileges on ${host}: give one above 1023 with --port`
            : `cannot listen on ${host}:${port}: ${e.message}`;
      resolve({ ok: false, message: why });
    });
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({ ok: true, server: { url: `http://${shown}:${actual}/`, close: () => new Promise<void>((done) => server.close(() => done())) } });
    });
  });
}

/** `sel4ts playground [--port N]`: serve the web playground until Ctrl-C. */
export async function playgroundCommand(opts: PlaygroundOptions, io: Io): Promise<number> {
  const port = Number(opts.port ?? '8000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port '${opts.port}' is not a port number (0 to 65535)`);
  const dir = opts.dir ?? defaultPlaygroundDir();
  if (!existsSync(join(dir, 'index.html'))) {
    io.stderr(`sel4ts: the playground is not built in ${dir}: run 'npm run playground' in the sel4ts folder first\n`);
    return EXIT_USAGE;
  }
  const started = await servePlayground(dir, opts.host ?? '127.0.0.1', port);
  if (!started.ok) {
    io.stderr(`sel4ts: ${started.message}\n`);
    return EXIT_USAGE;
  }
  io.stdout(`sel4ts playground: ${started.server.url} (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    if (!io.onInterrupt) return resolve();
    io.onInterrupt(() => resolve());
  });
  await started.server.close();
  return EXIT_OK;
}
