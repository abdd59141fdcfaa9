// One Vite config for the workspace: the PWA build (web/) and the Vitest tiers.
// Tiers by file name (STYLE.md #10): *.test.ts is pure, *.pg.test.ts gets a real Postgres.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

const syncServer = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const tierExcludes = ['**/node_modules/**', '**/dist/**', 'tests/e2e/**', '.data/**'];

export default defineConfig({
  root: 'web',
  publicDir: 'public',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  // `pnpm dev`: the app from Vite, everything server-side from the sync-server on :3000 (same origin).
  server: {
    proxy: {
      '/api': syncServer,
      '/v1': syncServer,
      '/healthz': syncServer,
      '/collab': { target: syncServer, ws: true },
    },
  },
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        // PGlite's wasm and data files are several MiB; the shell is useless offline without them.
        maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm,data}'],
      },
      devOptions: { enabled: false },
    }),
  ],
  test: {
    root: repoRoot,
    projects: [
      {
        test: {
          name: 'unit',
          root: repoRoot,
          include: ['**/*.test.ts'],
          exclude: [...tierExcludes, '**/*.pg.test.ts'],
        },
      },
      {
        test: {
          name: 'pg',
          root: repoRoot,
          include: ['**/*.pg.test.ts'],
          exclude: tierExcludes,
          globalSetup: ['tests/support/postgres-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
