/**
 * The dashboard's built files (`dist/web`, made by `vite build`), served with the right types:
 * hashed assets are cached for a year, `index.html` never. A path that leaves the folder, or a
 * file that is not there, is not found.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where the built dashboard is: `dist/web`, beside `dist/server` — also when this module runs
 * from its TypeScript source (tests), since only `vite build` makes the dashboard.
 */
export const dashboardDir = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../dist/web/' : '../web/', import.meta.url),
);

/** Serves `urlPath` from `root`; false when there is no such file (the caller answers 404). */
export async function serveStatic(
  root: string,
  urlPath: string,
  response: ServerResponse,
  head: boolean,
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root.endsWith(path.sep) ? root : root + path.sep))
    return false;
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return false;
  const ext = path.extname(file).toLowerCase();
  response.writeHead(200, {
    'content-type': types[ext] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': relative.startsWith('assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (head) {
    response.end();
    return true;
  }
  // pipeline closes the file when the client goes away mid-download.
  await pipeline(createReadStream(file), response).catch(() => undefined);
  return true;
}

/** Headers on every answer: a strict CSP (the dashboard needs nothing from elsewhere) and friends. */
export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
