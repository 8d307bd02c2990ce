// A page signing in with a Descope flow: the real <descope-wc> web component
// (@descope/web-component) against the mock, on /flow?flow={flowId}. The
// mock serves the flow's config.json, theme.json and screens from its
// base URL; the UI components (@descope/web-components-ui) come from this
// app's own node_modules, served under /npm/ (server.mjs), which the
// component's base-cdn-url names. On success the page shows the user and
// keeps the session JWT for the tests to call the API with.
import '@descope/web-component';

const { projectId, baseUrl } = window.appConfig;
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const wc = document.createElement('descope-wc');
wc.setAttribute('project-id', projectId);
wc.setAttribute('flow-id', params.get('flow') || 'sign-up-or-in');
wc.setAttribute('base-url', baseUrl); // the mock: flow API and static files
wc.setAttribute('base-cdn-url', location.origin); // the UI bundle, from node_modules
wc.setAttribute('redirect-url', `${location.origin}/flow?flow=${encodeURIComponent(wc.getAttribute('flow-id'))}`); // where a magic link leads
wc.setAttribute('theme', 'light');
wc.addEventListener('success', (e) => {
  const { sessionJwt, user } = e.detail;
  window.flowSession = e.detail;
  $('user-email').textContent = user?.email ?? '';
  $('status').textContent = sessionJwt ? 'signed in' : 'signed in (cookies)';
});
wc.addEventListener('error', (e) => {
  $('flow-error').hidden = false;
  $('flow-error').textContent = `${e.detail?.errorCode}: ${e.detail?.errorDescription}`;
});
$('flow').append(wc);
