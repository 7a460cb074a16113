import { defineConfig } from 'vite';

// The web app is served by bureau itself: same origin, strict CSP (no inline
// script or style), hashed files under /assets/ cached for a year.
export default defineConfig({
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    assetsDir: 'assets',
    // Inlined assets would become data: URLs inside CSS or JS; keep files.
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    // Chromium, Firefox and Safari support modulepreload: no polyfill.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a local `bureau serve` on the default address.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
});
