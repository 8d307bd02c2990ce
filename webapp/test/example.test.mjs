// The README's Playwright example (example/signin.test.mjs) runs as it is
// shown against this stack, and README.md shows it byte for byte.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startStack } from './harness.mjs';

const webapp = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const example = path.join(webapp, 'example', 'signin.test.mjs');

test('README.md shows example/signin.test.mjs as it is', async () => {
  const readme = await readFile(path.join(webapp, '..', 'README.md'), 'utf8');
  const code = await readFile(example, 'utf8');
  assert.ok(readme.includes('```js\n' + code + '```\n'), 'README.md has a js block identical to webapp/example/signin.test.mjs');
});

let stack;
before(async () => {
  stack = await startStack({ appHost: 'localhost', browser: false });
});
after(() => stack?.close());

test('the README example passes against the app and the mock', { timeout: 90_000 }, async () => {
  // A reader's own node --test run: without the variable by which this
  // runner tells its child processes to report to it.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--test', '--test-reporter=tap', example], {
    cwd: webapp,
    env: { ...env, APP_URL: stack.appUrl, MOCKIDP_URL: stack.mockUrl },
    timeout: 80_000,
  }).catch((err) => {
    throw new Error(`node --test example/signin.test.mjs failed:\n${err.stdout}\n${err.stderr}`);
  });
  assert.match(stdout, /^# pass 1$/m);
  assert.match(stdout, /^# fail 0$/m);
});
