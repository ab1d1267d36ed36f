// Vite configuration for piazza's browser UI. The UI lives in web/ and is
// built into web/dist/, which the C build embeds into the piazza binary, so the
// output is kept small: no source maps, no module-preload polyfill (every
// browser we support has modulepreload), hashed files under /assets/.
// JSX is compiled by esbuild for Preact directly, without framework plugins.
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  publicDir: 'public',
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    // While developing, `npm run dev` serves the UI and forwards the API to a
    // local `piazza serve` (default address).
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
});
