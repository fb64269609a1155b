// Builds the dashboard into dist/web, which `understudy serve` hands out as static files. `base`
// is relative and routing uses the hash, so the server needs no fallback route and no rewriting.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The server's CSP is `default-src 'self'`: no data: URIs, so nothing is inlined.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development: the API comes from a running `understudy serve`.
    proxy: { '/api': process.env.UNDERSTUDY_URL ?? 'http://127.0.0.1:4400' },
  },
});
