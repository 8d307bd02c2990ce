// The test harness of make test-web: starts bin/mockidp and bin/api (make
// build) on free loopback ports, serves the built app on another origin, and
// launches Debian's chromium through playwright-core. Everything it starts is
// stopped by close(), and killed when the test process exits for any reason
// it can see (end, exception, SIGINT, SIGTERM).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { serveApp } from '../server.mjs';

const webapp = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(webapp, '..');
const binDir = process.env.HARNESS_BIN_DIR || path.join(repo, 'bin');
const verbose = process.env.WEB_TEST_VERBOSE === '1';
const startTimeoutMs = 15_000;

// Every child process alive, killed on exit whatever happens.
const children = new Set();
const killAll = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', killAll);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    killAll();
    process.exit(code);
  });
}

// startProcess runs one of bin/'s servers (JSON logs) and resolves, once it
// logs the line whose msg is listening, to { addr, stop, logs }.
async function startProcess(name, args, env, listening) {
  const bin = path.join(binDir, name);
  const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => children.delete(child));
  const logs = [];
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not log "${listening}" within ${startTimeoutMs} ms:\n${logs.join('\n')}`)), startTimeoutMs);
    child.once('error', (err) => reject(new Error(`${bin}: ${err.message} (run make build)`)));
    exited.then((code) => reject(new Error(`${name} exited (${code}) before listening:\n${logs.join('\n')}`)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (logs.length < 1000) logs.push(line);
        if (verbose) console.error(`[${name}] ${line}`);
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          return;
        }
        if (entry.msg === listening) {
          clearTimeout(timer);
          resolve(entry.addr);
        }
      });
    }
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return { addr, stop, logs };
}

// projectFile writes the default project (fixtures/project.yaml) with lines
// replaced ([[from, to], ...]) into dir and returns its path.
async function projectFile(dir, replacements) {
  let text = await readFile(path.join(repo, 'fixtures', 'project.yaml'), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`fixtures/project.yaml has no "${from}" to replace`);
    text = text.replace(from, to);
  }
  const file = path.join(dir, 'project.yaml');
  await writeFile(file, text);
  return file;
}

// startStack starts the mock (with the default project, its lines changed by
// projectChanges), the API trusting it, and the app, and launches the browser.
// appHost is the host name the browser uses for the app ('localhost' or
// '127.0.0.1'); the mock is always http://127.0.0.1:PORT, so the app runs on
// another origin, as real apps do. oidc turns on the app's OIDC mode;
// browser: false launches no browser.
export async function startStack({ projectChanges = [], appHost = 'localhost', oidc = false, browser = true } = {}) {
  const stack = new Stack();
  try {
    await stack.start({ projectChanges, appHost, oidc, browser });
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}

class Stack {
  cleanups = [];

  async start({ projectChanges, appHost, oidc, browser }) {
    const dir = await mkdtemp(path.join(tmpdir(), 'webapp-test-'));
    this.cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mockArgs = ['serve', '--addr', '127.0.0.1:0', '--log-format', 'json'];
    let project = '';
    if (projectChanges.length) {
      project = await projectFile(dir, projectChanges);
      mockArgs.push('--project', project);
    }
    const mock = await startProcess('mockidp', mockArgs, {}, 'mockidp listening');
    this.cleanups.push(mock.stop);
    this.mockUrl = `http://${mock.addr}`;
    this.mockLogs = mock.logs;

    // What bin/api needs to trust this mock: mockidp api-env, as make run does.
    const apiEnvArgs = ['api-env', '--url', this.mockUrl, ...(project ? ['--project', project] : [])];
    const { stdout } = await promisify(execFile)(path.join(binDir, 'mockidp'), apiEnvArgs, { env: { PATH: process.env.PATH } });
    const apiEnv = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    this.projectId = apiEnv.DESCOPE_PROJECT_ID;
    const api = await startProcess('api', ['serve'], { ...apiEnv, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json' }, 'api listening');
    this.cleanups.push(api.stop);
    this.apiUrl = api.addr;

    const server = await serveApp({ host: '127.0.0.1', config: { projectId: this.projectId, baseUrl: this.mockUrl, oidc } });
    this.cleanups.push(() => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    });
    this.appUrl = `http://${appHost}:${server.address().port}`;
    if (!browser) return;

    // launch() gives Chromium a fresh temporary user-data-dir and removes it
    // on close; each test gets its own context (no shared storage or cookies).
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      timeout: startTimeoutMs,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-gpu',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    this.cleanups.push(() => this.browser.close());
  }

  // close stops everything started, newest first, whatever fails.
  async close() {
    const errors = [];
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        errors.push(err);
      }
    }
    this.cleanups = [];
    if (errors.length) throw new AggregateError(errors, 'stopping the test stack');
  }

  // newPage opens a page in a new browser context: its own storage, cookies
  // and clock. The page's console and errors go to stderr with WEB_TEST_VERBOSE=1.
  async newPage() {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    if (verbose) {
      page.on('console', (msg) => console.error(`[page ${msg.type()}] ${msg.text()}`));
      page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
      page.on('response', (res) => res.status() >= 400 && console.error(`[page response] ${res.status()} ${res.request().method()} ${res.url()}`));
      page.on('requestfailed', (req) => console.error(`[page request failed] ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
    }
    return page;
  }

  // mock calls the mock's HTTP surface and answers { status, body } (JSON).
  async mock(method, pathname, { body, headers = {} } = {}) {
    const res = await fetch(this.mockUrl + pathname, {
      method,
      headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  }

  // outbox answers the messages the mock "sent" to loginId, oldest first.
  async outbox(loginId) {
    const { status, body } = await this.mock('GET', `/_mock/outbox?login_id=${encodeURIComponent(loginId)}`);
    if (status !== 200) throw new Error(`GET /_mock/outbox: ${status} ${JSON.stringify(body)}`);
    return body.messages;
  }

  // lastMessage is the newest outbox message of kind to loginId.
  async lastMessage(loginId, kind) {
    const messages = (await this.outbox(loginId)).filter((m) => m.kind === kind);
    if (!messages.length) throw new Error(`the outbox holds no ${kind} message to ${loginId}`);
    return messages.at(-1);
  }

  // setClock moves the mock's clock to unix seconds and freezes it there.
  async setClock(unix) {
    const { status, body } = await this.mock('PUT', '/_mock/clock', { body: { now: unix, frozen: true } });
    if (status !== 200) throw new Error(`PUT /_mock/clock: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  // refreshWith tries a refresh with a refresh JWT, as the SDKs send it.
  refreshWith(refreshJwt) {
    return this.mock('POST', '/v1/auth/refresh', { body: {}, headers: { Authorization: `Bearer ${this.projectId}:${refreshJwt}` } });
  }

  // callApi calls bin/api with a bearer token and answers { status, body }.
  async callApi(pathname, token) {
    const res = await fetch(this.apiUrl + pathname, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }
}

// decodeJwt answers a JWT's claims (no verification: the mock signed it).
export function decodeJwt(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

// uniqueEmail is a new login ID for each test run.
let counter = 0;
export function uniqueEmail(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

// shown waits until selector is visible on page, and fails at once, with
// the app's message, when the app shows an error (#error) instead.
export async function shown(page, selector) {
  await page.locator(`${selector}, #error`).filter({ visible: true }).first().waitFor();
  if (await page.locator('#error').isVisible()) {
    throw new Error(`waiting for ${selector}, the app shows an error: ${await page.locator('#error').textContent()}`);
  }
}
