import { defineConfig } from 'vite';

// Vite 6 [choice]: its engines include every Node 20 (Vite 7 and 8 need 20.19+), and Vitest 4
// runs on it too. The console builds to static files under dist/console, served by the platform at /console
// (platform/http/routes/console-routes.ts). `npx vite --config platform/console/vite.config.ts`
// serves it live against a platform on 127.0.0.1:8080 while editing.
const platform = process.env.CELLGATE_PLATFORM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'platform/console',
  base: '/console/',
  logLevel: 'warn',
  build: { outDir: '../../dist/console', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: { proxy: { '/v1': platform, '/_cellgate': platform } },
});
