// Bundles the app (src/main.jsx) into dist/app.js with esbuild: `npm run build`
// (make test-web runs it). No dev server: server.mjs serves index.html,
// dist/ and the per-deployment /config.js.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: ['src/main.jsx'],
  bundle: true,
  outfile: 'dist/app.js',
  format: 'esm',
  jsx: 'automatic',
  target: 'es2022',
  sourcemap: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
