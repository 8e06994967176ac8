import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const modelsDir = fileURLToPath(new URL('./models', import.meta.url));
const serverPort = Number(process.env.PORT ?? 8080);

/**
 * The client build's id: compiled into the client (`__BUILD_ID__`) and written beside it as `build.json`, which the
 * server serves at GET /api/v1/build. An unattended wall compares the two and reloads itself once when a newer build
 * is deployed (client/src/net/buildReload.ts).
 */
const buildId = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
const buildIdFile: Plugin = {
  name: 'west-bund-build-id',
  apply: 'build',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'build.json', source: `${JSON.stringify({ buildId })}\n` });
  },
};

// One config for the client build, the dev server and the tests, so `@models/*` resolves the same everywhere.
export default defineConfig({
  root: 'client',
  publicDir: false,
  plugins: [react(), buildIdFile],
  define: { __BUILD_ID__: JSON.stringify(buildId) },
  resolve: { alias: { '@models': modelsDir } },
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    port: 5173,
    proxy: {
      '/api': `http://localhost:${serverPort}`,
      '/healthz': `http://localhost:${serverPort}`,
      '/socket.io': { target: `ws://localhost:${serverPort}`, ws: true },
    },
  },
  test: {
    root: '.',
    projects: [
      {
        extends: true,
        test: { name: 'unit', root: '.', include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          root: '.',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/build.global.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
