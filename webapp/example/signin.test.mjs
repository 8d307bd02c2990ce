// Sign-in test of a web app against the mock: the app at APP_URL uses
// Descope's SDK with baseUrl = MOCKIDP_URL (make run's mock by default).
// Run: npm install playwright-core, then node --test signin.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const APP_URL = process.env.APP_URL ?? 'http://localhost:3000';
const MOCKIDP_URL = process.env.MOCKIDP_URL ?? 'http://127.0.0.1:8080';

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', // Debian's chromium
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
  });
});
after(() => browser?.close());

// The code the mock "emailed" to loginId: the newest OTP in its outbox.
async function emailedCode(loginId) {
  const res = await fetch(`${MOCKIDP_URL}/_mock/outbox?login_id=${encodeURIComponent(loginId)}`);
  const { messages } = await res.json();
  return messages.filter((m) => m.kind === 'otp').at(-1).code;
}

test('a new user signs up with the emailed code and stays signed in', async () => {
  const page = await (await browser.newContext()).newPage();
  const email = `new-user-${Date.now()}@example.com`;
  await page.goto(APP_URL);
  await page.locator('#email').fill(email);
  await page.locator('#send-code').click();
  await page.locator('#code').waitFor(); // the app asks for the code once the mock has sent it
  await page.locator('#code').fill(await emailedCode(email));
  await page.locator('#verify-code').click();
  await page.locator('#user-email', { hasText: email }).waitFor();

  const sessionJwt = await page.evaluate(() => localStorage.getItem('DS'));
  assert.ok(sessionJwt, 'the SDK stored the session JWT');

  await page.reload();
  await page.locator('#user-email', { hasText: email }).waitFor();
});
