// Bundles the React app (src/main.jsx) into dist/app.js, the plain
// web-js-sdk page (src/plain.js) into dist/plain.js and the flow page
// (src/flow.js, <descope-wc>) into dist/flow.js with esbuild: `npm run build`
// (make test-web runs it). No dev server: server.mjs serves index.html,
// dist/ and the per-deployment /config.js.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: { app: 'src/main.jsx', plain: 'src/plain.js', flow: 'src/flow.js' },
  bundle: true,
  outdir: 'dist',
  format: 'esm',
  jsx: 'automatic',
  target: 'es2022',
  sourcemap: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
