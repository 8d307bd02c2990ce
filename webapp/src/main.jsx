import { createRoot } from 'react-dom/client';
import { AuthProvider } from '@descope/react-sdk';
import App from './App.jsx';

// window.appConfig comes from /config.js (see server.mjs): a real app would
// build these in; the tests point one bundle at a new mock each run.
const { projectId, baseUrl, oidc } = window.appConfig;

createRoot(document.getElementById('root')).render(
  <AuthProvider
    projectId={projectId}
    baseUrl={baseUrl}
    // <Descope> flows load the UI components from here: server.mjs serves
    // @descope/web-components-ui from node_modules under /npm/.
    baseCdnUrl={window.location.origin}
    // OIDC mode: web-js-sdk signs in through the project's OIDC provider with
    // the project ID as a public PKCE client (web-js-sdk src/sdk/oidc).
    oidcConfig={oidc ? { redirectUri: `${window.location.origin}/` } : undefined}
  >
    <App />
  </AuthProvider>,
);
