// The same sign-in without React: @descope/web-js-sdk on its own (the
// README's "Plain web-js-sdk" setup), on /plain. A magic link leads to
// /plain/verify, which verifies it; a stored refresh JWT signs the user back
// in on load.
import DescopeSdk from '@descope/web-js-sdk';

const { projectId, baseUrl } = window.appConfig;
const sdk = DescopeSdk({
  projectId,
  baseUrl, // the mock
  persistTokens: true, // DS and DSR in localStorage, as react-sdk does
  autoRefresh: true,
});

const $ = (id) => document.getElementById(id);
const fail = (error) => {
  $('error').hidden = false;
  $('error').textContent = error ? `${error.errorCode}: ${error.errorDescription}` : 'failed';
};

sdk.onUserChange((user) => {
  $('user-email').textContent = user?.email ?? '';
  $('status').textContent = user ? 'signed in' : 'signed out';
});

$('send-magic-link').onclick = async () => {
  const resp = await sdk.magicLink.signUpOrIn.email($('email').value, `${location.origin}/plain/verify`);
  if (!resp.ok) return fail(resp.error);
  $('sent').hidden = false;
};

if (location.pathname === '/plain/verify') {
  const resp = await sdk.magicLink.verify(new URLSearchParams(location.search).get('t'));
  if (resp.ok) history.replaceState(null, '', '/plain');
  else fail(resp.error);
} else {
  await sdk.refresh(); // a stored refresh JWT signs the user back in
  if (!$('user-email').textContent) $('status').textContent = 'signed out';
}
