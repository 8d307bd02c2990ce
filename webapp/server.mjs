// Serves the built app: index.html for every page path (plain.html for
// /plain and below: the web-js-sdk page; flow.html for /flow: the
// <descope-wc> page), dist/ for the bundles, /config.js with this
// deployment's Descope settings, and the Descope UI components bundle
// (@descope/web-components-ui from node_modules) under
// /npm/@descope/web-components-ui@{version}/, where <descope-wc> loads it
// from its base-cdn-url; the mock never serves it. The tests
// start it on a free port (serveApp); by hand, after `npm run build`:
//
//   MOCKIDP_URL=http://127.0.0.1:8080 node server.mjs   # then open http://localhost:3000
//
// Settings: PORT (3000), MOCKIDP_URL (the mock: the SDK's baseUrl),
// DESCOPE_PROJECT_ID (the default project's), OIDC=1 for OIDC mode.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_PROJECT_ID = 'P2MockDescopeHarness00000001';

const types = { '.js': 'text/javascript', '.map': 'application/json', '.txt': 'text/plain' };
const uiBundle = path.join(root, 'node_modules', '@descope', 'web-components-ui', 'dist', 'umd');
const uiPath = /^\/npm\/@descope\/web-components-ui@[^/]+\/dist\/umd\/([A-Za-z0-9_-][A-Za-z0-9._-]*)$/;

// serveApp listens on host:port (0: a free port) and resolves to the server;
// config is { projectId, baseUrl, oidc } as the app reads it (window.appConfig).
export async function serveApp({ host = '127.0.0.1', port = 0, config }) {
  const configJs = `window.appConfig = ${JSON.stringify(config)};\n`;
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://app');
    try {
      if (pathname === '/config.js') return send(res, 200, 'text/javascript', configJs);
      const ui = uiPath.exec(pathname);
      if (ui) {
        // Any version the mock's config.json names: the one installed here.
        const file = await readFile(path.join(uiBundle, ui[1])).catch(() => null);
        return file ? send(res, 200, types[path.extname(pathname)] ?? 'application/octet-stream', file, 'max-age=3600') : send(res, 404, 'text/plain', 'not found\n');
      }
      if (['/app.js', '/app.js.map', '/plain.js', '/plain.js.map', '/flow.js', '/flow.js.map'].includes(pathname)) {
        const file = await readFile(path.join(root, 'dist', pathname.slice(1)));
        return send(res, 200, types[path.extname(pathname)], file);
      }
      if (path.extname(pathname) !== '') return send(res, 404, 'text/plain', 'not found\n');
      const under = (p) => pathname === p || pathname.startsWith(`${p}/`);
      const page = under('/plain') ? 'plain.html' : under('/flow') ? 'flow.html' : 'index.html';
      return send(res, 200, 'text/html; charset=utf-8', await readFile(path.join(root, page)));
    } catch (err) {
      const missing = err.code === 'ENOENT' ? ' (run npm run build first)' : '';
      return send(res, 500, 'text/plain', `${err.message}${missing}\n`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

function send(res, status, type, body, cache = 'no-store') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cache });
  res.end(body);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000);
  const config = {
    projectId: process.env.DESCOPE_PROJECT_ID || DEFAULT_PROJECT_ID,
    baseUrl: process.env.MOCKIDP_URL || 'http://127.0.0.1:8080',
    oidc: process.env.OIDC === '1',
  };
  const server = await serveApp({ host: '127.0.0.1', port, config });
  console.log(`app on http://localhost:${server.address().port} (Descope base URL ${config.baseUrl})`);
}
