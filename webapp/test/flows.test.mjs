// Descope flows offline: the real <descope-wc> web component
// (@descope/web-component, bundled into dist/flow.js) runs the mock's
// built-in flows in headless Chromium. The mock serves config.json,
// theme.json, the screens and the flow API; the UI components
// (@descope/web-components-ui) come from the app's node_modules. Codes and
// links are read from the outbox; the session of the success event opens
// bin/api.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startStack, uniqueEmail } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack({ appHost: 'localhost' });
});
after(() => stack?.close());

// openFlow opens the flow page and waits for the component's first screen.
async function openFlow(page, flowId, query = '') {
  await page.goto(`${stack.appUrl}/flow?flow=${flowId}${query}`);
  return page.locator('descope-wc');
}

// typeCode types a six-digit code into the screen's descope-passcode, one
// digit per box (the component moves the focus itself).
async function typeCode(wc, code) {
  const boxes = wc.locator('descope-passcode input');
  await boxes.first().waitFor();
  for (let i = 0; i < code.length; i++) await boxes.nth(i).fill(code[i]);
}

// signedIn waits for the success event's user and checks its session JWT
// against bin/api.
async function signedIn(page, email) {
  await page.locator('#user-email', { hasText: email }).waitFor();
  const session = await page.evaluate(() => window.flowSession);
  assert.ok(session.sessionJwt, 'the success event carries the session JWT');
  assert.equal(session.user.email, email);
  const claims = decodeJwt(session.sessionJwt);
  assert.equal(claims.sub, session.user.userId);
  const me = await stack.callApi('/api/me', session.sessionJwt);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.authenticated, true);
  return session;
}

const errorText = (wc) => wc.locator('[data-type="error-message"]');

describe('the real <descope-wc> runs the built-in flows against the mock', () => {
  test('sign-up-or-in: email, then the OTP from the outbox; a wrong code shows the flow error and a retry succeeds', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('flow-otp');
    const wc = await openFlow(page, 'sign-up-or-in');
    await wc.locator('descope-email-field input').fill(email);
    await wc.locator('descope-button#continue').click();
    await wc.locator('descope-passcode').waitFor();
    assert.match(await wc.locator('descope-text#text').textContent(), new RegExp(`A code was sent to ${email.replace(/[.+]/g, '\\$&')}`));

    const { code } = await stack.lastMessage(email, 'otp');
    const wrong = code === '000000' ? '111111' : '000000';
    await typeCode(wc, wrong);
    await wc.locator('descope-button#verify').click();
    await errorText(wc).filter({ hasText: 'Wrong code' }).waitFor();

    await typeCode(wc, code);
    await wc.locator('descope-button#verify').click();
    const session = await signedIn(page, email);
    assert.equal(session.firstSeen, true, 'a new user: firstSeen');
    assert.ok(decodeJwt(session.sessionJwt).amr.includes('email'));
    await page.context().close();
  });

  test('sign-in: a magic link from the outbox, opened in the browser, finishes the flow', { timeout: 60_000 }, async () => {
    const email = uniqueEmail('flow-link');
    const created = await stack.mock('POST', '/_mock/users', { body: { login_ids: [email], email, name: 'Link User' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const page = await stack.newPage();
    const wc = await openFlow(page, 'sign-in');
    await wc.locator('descope-email-field input').fill(email);
    await wc.locator('descope-button#send-link').click();
    await wc.locator('descope-text#title', { hasText: 'Check your email' }).waitFor();

    const { link } = await stack.lastMessage(email, 'magiclink');
    const url = new URL(link);
    assert.equal(url.origin + url.pathname, `${stack.appUrl}/flow`, `the link ${link} leads to the page's redirect-url`);
    assert.equal(url.searchParams.get('flow'), 'sign-in');
    assert.match(url.searchParams.get('descope-login-flow'), /^sign-in\|#\|[0-9a-f]+_2$/, 'the execution and step the component resumes');
    await page.goto(link);
    const session = await signedIn(page, email);
    assert.equal(session.user.name, 'Link User');
    await page.context().close();
  });

  test('sign-up: name and email, then the OTP; the new user has the name', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('flow-signup');
    const wc = await openFlow(page, 'sign-up');
    await wc.locator('descope-text-field[name="name"] input').fill('Flow Person');
    await wc.locator('descope-email-field input').fill(email);
    await wc.locator('descope-button#sign-up').click();
    await wc.locator('descope-passcode').waitFor(); // the code is sent by then
    const { code } = await stack.lastMessage(email, 'otp');
    await typeCode(wc, code);
    await wc.locator('descope-button#verify').click();
    const session = await signedIn(page, email);
    assert.equal(session.user.name, 'Flow Person');
    await page.context().close();
  });

  test('an injected fault on the flow API shows the component error state', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('flow-fault');
    const wc = await openFlow(page, 'sign-up-or-in');
    await wc.locator('descope-email-field input').fill(email);
    // 500, not 503: core-js-sdk's fetch retries 503, 520-524 and 530 three
    // times (src/httpClient/helpers/createFetchLogger.ts), so one 503 is
    // never seen by the component.
    const fault = await stack.mock('POST', '/_mock/faults', { body: { endpoint: 'flow', status: 500, count: 1 } });
    assert.equal(fault.status, 201, JSON.stringify(fault.body));
    await wc.locator('descope-button#continue').click();
    await page.locator('#flow-error').filter({ visible: true }).waitFor();
    assert.match(await page.locator('#flow-error').textContent(), /^E\d+: /);
    assert.equal(await page.locator('#status').textContent(), 'signed out');
    await page.context().close();
  });

  test("React's <Descope flowId> signs in through the flow; AuthProvider keeps the session, which opens bin/api", { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('flow-react');
    await page.goto(`${stack.appUrl}/react-flow?flow=sign-up-or-in`);
    const wc = page.locator('descope-wc');
    await wc.locator('descope-email-field input').fill(email);
    await wc.locator('descope-button#continue').click();
    await wc.locator('descope-passcode').waitFor();
    const { code } = await stack.lastMessage(email, 'otp');
    await typeCode(wc, code);
    await wc.locator('descope-button#verify').click();
    await page.locator('#user-email', { hasText: email }).waitFor();
    assert.equal(await page.locator('#status').textContent(), 'signed in');
    const session = await page.evaluate(() => localStorage.getItem('DS'));
    assert.ok(session, 'react-sdk kept the flow session in localStorage');
    assert.equal(decodeJwt(session).sub, await page.locator('#user-id').textContent());
    const me = await stack.callApi('/api/me', session);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    await page.context().close();
  });
});
