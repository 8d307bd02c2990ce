// Descope's cookie mode (the project's sessions.token_response: cookies):
// the mock sets DS and DSR as HttpOnly, Secure cookies and the page's
// scripts never see the refresh JWT; the SDK sends the cookies back with
// credentials: 'include'. The app runs on 127.0.0.1 like the mock (another
// port: another origin, the same site): a browser sends no cookie of
// another site's to a cross-site fetch, which is why Descope's cookie mode
// needs a custom domain on the app's own site.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shown, startStack, uniqueEmail } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack({ appHost: '127.0.0.1', projectChanges: [['token_response: body', 'token_response: cookies']] });
});
after(() => stack?.close());

const mockCookies = async (page) => {
  const cookies = await page.context().cookies(stack.mockUrl);
  return Object.fromEntries(cookies.map((c) => [c.name, c]));
};

test('cookie mode: OTP sign-in sets HttpOnly Secure DS and DSR, the page never sees the refresh JWT, a reload keeps the user, logout ends the session', { timeout: 60_000 }, async () => {
  const page = await stack.newPage();
  const email = uniqueEmail('cookie');
  await page.goto(stack.appUrl);
  await page.locator('#email').fill(email);
  await page.locator('#send-code').click();
  await shown(page, '#code');
  await page.locator('#code').fill((await stack.lastMessage(email, 'otp')).code);
  await page.locator('#verify-code').click();
  await shown(page, '#user-email');
  assert.equal(await page.locator('#user-email').textContent(), email);
  const userId = await page.locator('#user-id').textContent();
  assert.equal(JSON.parse(await page.locator('#claims').textContent()).sub, userId, 'claims come from the response body');

  const cookies = await mockCookies(page);
  for (const name of ['DS', 'DSR']) {
    assert.ok(cookies[name], `the mock set ${name}`);
    assert.equal(cookies[name].httpOnly, true, `${name} is HttpOnly`);
    assert.equal(cookies[name].secure, true, `${name} is Secure`);
  }
  // The mock leaves both JWTs out of the body in cookie mode (README: Descope
  // user sessions), so web-js-sdk stores neither.
  const seen = await page.evaluate(() => ({ cookie: document.cookie, DS: localStorage.getItem('DS'), DSR: localStorage.getItem('DSR') }));
  assert.equal(seen.DSR, null, 'no refresh JWT in localStorage');
  assert.equal(seen.DS, null, 'no session JWT in localStorage');
  assert.doesNotMatch(seen.cookie, /DSR?=/, 'document.cookie shows neither DS nor DSR');

  // The reload's try-refresh carries only the DSR cookie.
  await page.reload();
  await shown(page, '#user-email');
  assert.equal(await page.locator('#user-id').textContent(), userId);

  const refresh = (await mockCookies(page)).DSR.value;
  await page.locator('#logout').click();
  await shown(page, '#email');
  const refused = await stack.refreshWith(refresh);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errorCode, 'E064001');
  await page.reload();
  await shown(page, '#email');
  await page.context().close();
});
