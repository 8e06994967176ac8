/**
 * Browser plumbing for the bench: one Vite build (into a temp directory, never dist/) of the real app and of the
 * bench page client/bench/index.html, a tiny static server for the bench page (cross-origin isolated, so
 * performance.now() has its fine 5 µs resolution instead of 100 µs) that also serves district JSON from memory,
 * and Debian's Chromium with the flags the browser tests use.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../chromium.ts';
import { REPO_ROOT } from '../../server/src/config.ts';

/** The version of the last browser launched, for the report. */
export let chromiumVersion = 'not launched';

export async function launch(): Promise<Browser> {
  const browser = await launchChromium();
  chromiumVersion = browser.version();
  return browser;
}

/**
 * Build the production client (index.html, served by createApp for the commit count) and the bench page
 * (bench/index.html) in one go. Not minified, so component names survive for the commit report; React and three are
 * their production builds either way.
 */
export async function buildClient(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-client-'));
  await build({
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      rolldownOptions: {
        input: { app: path.join(REPO_ROOT, 'client', 'index.html'), bench: path.join(REPO_ROOT, 'client', 'bench', 'index.html') },
      },
    },
  });
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

export interface StaticServer {
  url: string;
  /** Serve `body` as application/json at `${url}/bench-data/${name}.json`. */
  put(name: string, body: string): string;
  /** Serve `body` as application/octet-stream at `${url}/bench-data/${name}.bin`. */
  putBinary(name: string, body: Uint8Array): string;
  close(): Promise<void>;
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const data = new Map<string, string | Uint8Array>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    const body = data.get(url.pathname);
    if (body !== undefined) {
      res.writeHead(200, { ...headers, 'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream' });
      res.end(body);
      return;
    }
    const file = path.join(root, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    put(name, body) {
      data.set(`/bench-data/${name}.json`, body);
      return `/bench-data/${name}.json`;
    },
    putBinary(name, body) {
      data.set(`/bench-data/${name}.bin`, body);
      return `/bench-data/${name}.bin`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
