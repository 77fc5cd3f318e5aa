import { defineConfig } from 'vite';

// The console builds to static files under dist/console, served by the platform at /console
// (platform/http/routes/console-routes.ts). `npx vite --config platform/console/vite.config.ts`
// serves it live against a platform on 127.0.0.1:8080 while editing.
const platform = process.env.CELLGATE_PLATFORM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'platform/console',
  base: '/console/',
  logLevel: 'warn',
  build: { outDir: '../../dist/console', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: { proxy: { '/v1': platform, '/_cellgate': platform } },
});
