// web-js-sdk's OIDC mode (AuthProvider's oidcConfig): the SDK signs in
// through the project's OIDC provider with the project ID as a public PKCE
// client (web-js-sdk src/sdk/oidc: client_id = projectId, authority =
// {baseUrl}/{projectId}, oidc-client-ts bundled into the app), and refreshes
// and logs out through it too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, shown, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack({ appHost: 'localhost', oidc: true });
});
after(() => stack?.close());

test('OIDC mode: sign in on the mock\'s login page, back in the app with a session that opens bin/api; a reload keeps it; logout ends it', { timeout: 60_000 }, async () => {
  const alice = (await stack.mock('GET', '/_mock/users/alice@example.com')).body;
  assert.ok(alice?.id, 'the default project has alice@example.com');

  const page = await stack.newPage();
  await page.goto(stack.appUrl);
  await page.locator('#oidc-sign-in').click();
  // The mock's login page (authorize without login_hint) lists the users.
  await page.waitForURL((url) => url.href.startsWith(`${stack.mockUrl}/oauth2/v1/authorize?`));
  const authorize = new URL(page.url());
  assert.equal(authorize.searchParams.get('client_id'), stack.projectId);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  await page.locator('button[value="alice@example.com"]').click();

  await page.waitForURL((url) => url.origin === stack.appUrl);
  await shown(page, '#user-email');
  assert.equal(await page.locator('#user-email').textContent(), alice.email);
  assert.equal(await page.locator('#user-id').textContent(), alice.id);
  assert.equal(new URL(page.url()).search, '', 'the SDK removed code and state from the URL');

  const tokens = await page.evaluate(() => ({ session: localStorage.getItem('DS'), refresh: localStorage.getItem('DSR') }));
  assert.equal(decodeJwt(tokens.session).sub, alice.id);
  const me = await stack.callApi('/api/me', tokens.session);
  assert.equal(me.status, 200, JSON.stringify(me.body));

  // The reload refreshes through the token endpoint (refresh_token grant).
  await page.reload();
  await shown(page, '#user-email');
  assert.equal(await page.locator('#user-id').textContent(), alice.id);

  // Logout goes through the mock's end-session endpoint and back.
  const refresh = await page.evaluate(() => localStorage.getItem('DSR'));
  await page.locator('#logout').click();
  await page.waitForURL((url) => url.origin === stack.appUrl);
  await shown(page, '#email');
  const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: stack.projectId, refresh_token: refresh });
  const res = await fetch(`${stack.mockUrl}/oauth2/v1/token`, { method: 'POST', body: form });
  assert.equal(res.status, 400, 'the refresh token is refused after logout');
  assert.equal((await res.json()).error, 'invalid_grant');
  await page.context().close();
});
