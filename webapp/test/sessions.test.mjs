// The React app signs in against bin/mockidp with the JWTs in the response
// body (the default project): @descope/react-sdk keeps them in localStorage
// (web-js-sdk's withPersistTokens: DS and DSR).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, shown, startStack, uniqueEmail } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack({ appHost: 'localhost' });
});
after(() => stack?.close());

// signInWithCode signs email up or in with an OTP read from the outbox and
// waits for the app to show the user.
async function signInWithCode(page, email) {
  await page.goto(stack.appUrl);
  await page.locator('#email').fill(email);
  await page.locator('#send-code').click();
  await shown(page, '#code');
  const message = await stack.lastMessage(email, 'otp');
  assert.equal(message.method, 'email');
  assert.match(message.code, /^\d{6}$/);
  await page.locator('#code').fill(message.code);
  await page.locator('#verify-code').click();
  await shown(page, '#user-email');
}

const storedTokens = (page) =>
  page.evaluate(() => ({ session: localStorage.getItem('DS'), refresh: localStorage.getItem('DSR') }));

const shownClaims = async (page) => JSON.parse(await page.locator('#claims').textContent());

describe('email OTP in a real browser', () => {
  test('a new user signs up with the code from the outbox; the app shows the user and the claims; the session token opens bin/api', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('otp');
    await signInWithCode(page, email);

    assert.equal(await page.locator('#status').textContent(), 'signed in');
    assert.equal(await page.locator('#user-email').textContent(), email);
    const userId = await page.locator('#user-id').textContent();
    assert.ok(userId, 'the app shows the user ID');

    // The claims the SDK republishes from the JWT response (useSession().claims).
    const claims = await shownClaims(page);
    assert.equal(claims.sub, userId);
    assert.deepEqual(claims.aud, [stack.projectId]);
    assert.ok(claims.exp > claims.iat, 'exp after iat');
    assert.ok(claims.amr.includes('email'), `amr ${JSON.stringify(claims.amr)} names email`);

    const { session, refresh } = await storedTokens(page);
    assert.ok(session && refresh, 'the SDK kept both JWTs in localStorage');
    assert.equal(decodeJwt(session).sub, userId);

    const me = await stack.callApi('/api/me', session);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.authenticated, true);
    const apiClaims = await stack.callApi('/api/claims', session);
    assert.equal(apiClaims.body.claims.sub, userId);
    await page.context().close();
  });

  test('a reload keeps the user signed in (try-refresh with the stored refresh JWT)', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('reload');
    await signInWithCode(page, email);
    const userId = await page.locator('#user-id').textContent();

    await page.reload();
    await page.locator('#user-email').waitFor();
    assert.equal(await page.locator('#status').textContent(), 'signed in');
    assert.equal(await page.locator('#user-email').textContent(), email);
    assert.equal(await page.locator('#user-id').textContent(), userId);
    assert.equal((await shownClaims(page)).sub, userId);
    await page.context().close();
  });

  test('logout signs the user out and the mock refuses the old refresh JWT', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    await signInWithCode(page, uniqueEmail('logout'));
    const { refresh } = await storedTokens(page);
    assert.equal((await stack.refreshWith(refresh)).status, 200, 'the refresh JWT works before logout');

    await page.locator('#logout').click();
    await page.locator('#email').waitFor();
    assert.equal(await page.locator('#status').textContent(), 'signed out');
    assert.deepEqual(await storedTokens(page), { session: null, refresh: null });

    const refused = await stack.refreshWith(refresh);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errorCode, 'E064001');

    // And a reload stays signed out.
    await page.reload();
    await page.locator('#email').waitFor();
    await page.context().close();
  });

  test('the SDK refreshes the session on its own before it expires (browser and mock clocks moved together)', { timeout: 60_000 }, async (t) => {
    // The mock's clock runs from real time again for the tests after this one.
    t.after(() => stack.mock('PUT', '/_mock/clock', { body: { now: Math.floor(Date.now() / 1000), frozen: false } }));
    // Both clocks start at the same whole second: the mock's frozen there,
    // the browser's running from there until paused below.
    const t0 = (await stack.mock('GET', '/_mock/clock')).body.unix;
    await stack.setClock(t0);
    const page = await stack.newPage();
    await page.clock.install({ time: t0 * 1000 });
    await signInWithCode(page, uniqueEmail('refresh'));
    const first = decodeJwt((await storedTokens(page)).session);
    assert.equal(first.iat, t0);

    // Pause the browser's clock a second past where it runs now, and move
    // the mock's there too.
    let now = Math.ceil((await page.evaluate(() => Date.now())) / 1000) + 1;
    await page.clock.pauseAt(now * 1000);
    await stack.setClock(now);
    const refreshesBefore = (await stack.mock('GET', '/_mock/requests')).body.counts?.refresh ?? 0;

    // web-js-sdk (withAutoRefresh) refreshes 20 s before exp, on the
    // browser's clock. Move the mock to 15 s before exp, then the browser to
    // the same instant: its timer fires on the way and the refresh reaches
    // the mock while the first session is still valid.
    const target = first.exp - 15;
    await stack.setClock(target);
    await page.clock.runFor((target - now) * 1000);
    now = target;
    await page.waitForFunction((exp) => {
      const token = localStorage.getItem('DS');
      return token && JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp > exp;
    }, first.exp, { polling: 50 });
    const second = decodeJwt((await storedTokens(page)).session);
    assert.equal(second.iat, target, 'the new session was issued at the mock time of the refresh');
    assert.ok(second.iat < first.exp, 'refreshed before the first session expired');
    assert.ok(second.exp > first.exp, 'the new session outlives the first');
    assert.equal(second.sub, first.sub);
    const refreshesAfter = (await stack.mock('GET', '/_mock/requests')).body.counts.refresh;
    assert.equal(refreshesAfter, refreshesBefore + 1, 'one refresh call, by the SDK');
    assert.equal((await shownClaims(page)).exp, second.exp, 'the app shows the new session claims');

    // Past the first session's expiry, the user is still signed in.
    now = first.exp + 60;
    await stack.setClock(now);
    await page.clock.runFor((now - target) * 1000);
    assert.equal(await page.locator('#status').textContent(), 'signed in');
    await page.context().close();
  });
});

describe('links in a real browser', () => {
  test('magic link: the link from the outbox opens the app, which verifies it and signs the user in', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('magic');
    await page.goto(stack.appUrl);
    await page.locator('#email').fill(email);
    await page.locator('#send-magic-link').click();
    await shown(page, '#sent');
    const message = await stack.lastMessage(email, 'magiclink');
    assert.ok(message.link.startsWith(`${stack.appUrl}/magiclink?`), `link ${message.link} leads to the app's /magiclink`);
    assert.equal(new URL(message.link).searchParams.get('t'), message.token);

    await page.goto(message.link);
    await page.locator('#user-email').waitFor();
    assert.equal(await page.locator('#user-email').textContent(), email);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.context().close();
  });

  test('enchanted link: opening the link in another browser signs in the tab that asked for it', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('enchanted');
    await page.goto(stack.appUrl);
    await page.locator('#email').fill(email);
    await page.locator('#send-enchanted-link').click();
    await shown(page, '#sent');
    const linkId = await page.locator('#link-id').textContent();
    assert.match(linkId, /^\d+$/);
    const message = await stack.lastMessage(email, 'enchantedlink');
    assert.ok(message.link.startsWith(`${stack.appUrl}/enchantedlink?`), `link ${message.link} leads to the app's /enchantedlink`);

    // The email opened elsewhere: a context with its own storage.
    const phone = await stack.newPage();
    await phone.goto(message.link);
    await phone.locator('#status', { hasText: 'link verified' }).waitFor();
    assert.deepEqual(
      await phone.evaluate(() => localStorage.getItem('DS')),
      null,
      'the tab that opened the link is not signed in',
    );

    await page.locator('#user-email').waitFor();
    assert.equal(await page.locator('#user-email').textContent(), email);
    await phone.context().close();
    await page.context().close();
  });
});

describe('web-js-sdk without React', () => {
  test('the plain page signs in with a magic link, and a reload keeps the user', { timeout: 60_000 }, async () => {
    const page = await stack.newPage();
    const email = uniqueEmail('plain');
    await page.goto(`${stack.appUrl}/plain`);
    await shown(page, '#status:has-text("signed out")');
    await page.locator('#email').fill(email);
    await page.locator('#send-magic-link').click();
    await shown(page, '#sent');
    const message = await stack.lastMessage(email, 'magiclink');
    assert.ok(message.link.startsWith(`${stack.appUrl}/plain/verify?`), `link ${message.link} leads to /plain/verify`);

    await page.goto(message.link);
    await shown(page, '#status:has-text("signed in")');
    assert.equal(await page.locator('#user-email').textContent(), email);
    assert.ok(await page.evaluate(() => localStorage.getItem('DS')), 'the SDK stored the session JWT');

    await page.reload();
    await shown(page, '#status:has-text("signed in")');
    assert.equal(await page.locator('#user-email').textContent(), email);
    await page.context().close();
  });
});
