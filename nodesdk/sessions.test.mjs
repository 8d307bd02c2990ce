// Descope's own Node SDK (@descope/node-sdk, pinned in package.json) drives
// mockidp's session and test-user endpoints exactly as a Node backend or an
// end-to-end test would: the SDK's baseUrl points at the mock and nothing
// else is changed. Run by `make test-node-sdk` (nodesdk_test.go starts
// bin/mockidp on an ephemeral loopback port and passes MOCKIDP_URL,
// MOCKIDP_PROJECT_ID and MOCKIDP_MANAGEMENT_KEY).
//
// What the SDK does on the wire (read from node-sdk lib/index.ts and
// core-js-sdk src/sdk/index.ts, src/httpClient/index.ts of the pinned
// versions): every auth call sends Authorization: Bearer {projectId}[:{jwt}]
// to {baseUrl}/{path}; refreshSession validates the refresh JWT locally
// (against /v2/keys/{projectId}, issuer and a 5 s clock tolerance on the
// real clock), POSTs /v1/auth/refresh with body {}, then takes the session
// JWT from a DS Set-Cookie or the body's sessionJwt and validates it; the
// refresh JWT comes from the body or a DSR Set-Cookie. Management calls send
// Bearer {projectId}:{managementKey}.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import DescopeClient from '@descope/node-sdk';

// The default project's tenants and roles (fixtures/project.yaml): Acme has
// its own tenant-admin role.
const acme = { tenantId: 'T2MockTenantAcme000000000001', roleNames: ['tenant-admin'] };

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run make test-node-sdk`);
  return v;
};

const baseUrl = env('MOCKIDP_URL');
const projectId = env('MOCKIDP_PROJECT_ID');
const managementKey = env('MOCKIDP_MANAGEMENT_KEY');
// The project's token response method: "body" (both JWTs in the JSON body)
// or "cookies" (HttpOnly Set-Cookie DS and DSR, neither JWT in the body, as
// Descope's "manage in cookies": the SDK's withCookie hands the refresh JWT
// and the Set-Cookie headers back; the session JWT is read from DS).
const tokenResponse = env('MOCKIDP_TOKEN_RESPONSE');

const sdk = DescopeClient({ projectId, baseUrl, managementKey });

// control calls mockidp's /_mock control plane (not part of Descope).
async function control(method, path, body) {
  const resp = await fetch(`${baseUrl}/_mock/${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  assert.ok(resp.ok, `${method} /_mock/${path}: ${resp.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

// ok asserts an SdkResponse succeeded and returns its data.
function ok(resp, what) {
  assert.equal(resp.ok, true, `${what}: ${JSON.stringify(resp.error)}`);
  return resp.data;
}

// sessionOf is the session JWT of an SDK JWT response: the body's, else the
// DS cookie's among the Set-Cookie headers the SDK passes on (what
// refreshSession itself does, lib/index.ts).
function sessionOf(jwt) {
  if (jwt.sessionJwt) return jwt.sessionJwt;
  const m = (jwt.cookies || []).join(';').match(/(?:^|[;,]\s*)DS=([^;]*)/);
  return m ? m[1] : undefined;
}

// claims decodes a JWT's payload without verifying it.
function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

let counter = 0;

// loginTestUser is Descope's documented test-user flow: create a test user,
// generate an OTP for it through the management API, verify the OTP.
async function loginTestUser(options = {}) {
  counter += 1;
  const loginId = `node-sdk-${counter}@example.com`;
  const user = ok(
    await sdk.management.user.createTestUser(loginId, {
      email: loginId,
      displayName: `Node SDK ${counter}`,
      verifiedEmail: true,
      ...options,
    }),
    'createTestUser',
  );
  const { code } = ok(await sdk.management.user.generateOTPForTestUser('email', loginId), 'generateOTPForTestUser');
  assert.match(code, /^\d{6}$/, 'a six-digit OTP code');
  const jwt = ok(await sdk.otp.verify.email(loginId, code), 'otp.verify.email');
  return { loginId, user, code, sessionJwt: sessionOf(jwt), refreshJwt: jwt.refreshJwt, jwt };
}

describe('Descope Node SDK against mockidp', () => {
  before(async () => {
    await control('GET', 'health');
  });
  beforeEach(async () => {
    await control('POST', 'reset');
  });
  after(async () => {
    await control('POST', 'reset');
  });

  test('the test-user flow yields a session and a refresh JWT the SDK validates', async () => {
    const { loginId, user, sessionJwt, refreshJwt, jwt } = await loginTestUser();
    assert.equal(user.test, true, 'createTestUser makes a test user');
    assert.deepEqual(user.loginIds, [loginId]);
    assert.match(user.userId, /^U/, 'Descope user IDs start with U');
    assert.ok(sessionJwt && refreshJwt, `otp.verify.email returned both JWTs: ${JSON.stringify(Object.keys(jwt))}`);
    assert.equal(jwt.user?.userId, user.userId, 'the verify response names the user');
    // The SDK's cookies for the caller's response: generated from the body's
    // refresh JWT, or the mock's own Set-Cookie (with HttpOnly on DSR).
    if (tokenResponse === 'cookies') {
      assert.equal(jwt.sessionJwt, undefined, 'cookie mode: the session JWT is not in the body');
    }
    assert.match(jwt.cookies.join(';'), /(^|[;,]\s*)DSR=ey[^;]*;.*HttpOnly/i);

    const session = await sdk.validateSession(sessionJwt);
    assert.equal(session.token.drn, 'DS');
    assert.equal(session.token.sub, user.userId);
    assert.equal(session.token.tu, true, 'test users carry tu:true');
    assert.deepEqual(session.token.amr, ['email']);
    assert.equal(session.token.iss, projectId, 'the SDK rewrites iss to the project ID after matching it');

    const refresh = await sdk.validateJwt(refreshJwt);
    assert.equal(refresh.token.drn, 'DSR');
    assert.ok(refresh.token.exp > session.token.exp, 'the refresh JWT outlives the session JWT');
  });

  test('refreshSession returns a new session JWT that validates', async () => {
    const { user, sessionJwt, refreshJwt } = await loginTestUser();
    // One second later on the mock's clock (well inside the SDK's 5 s
    // tolerance), so the refreshed session JWT has a later iat than the
    // login's instead of being byte-identical within the same second.
    await control('POST', 'clock/advance', { seconds: 1 });
    const refreshed = await sdk.refreshSession(refreshJwt);
    assert.notEqual(refreshed.jwt, sessionJwt, 'a new session JWT');
    assert.ok(refreshed.token.iat > claims(sessionJwt).iat, 'issued at refresh time');
    assert.equal(refreshed.token.drn, 'DS');
    assert.equal(refreshed.token.sub, user.userId);
    const again = await sdk.validateSession(refreshed.jwt);
    assert.equal(again.token.sub, user.userId);
    // The default project does not rotate refresh JWTs: the answer has none,
    // so the SDK hands none back and the caller keeps the one it sent.
    assert.equal(refreshed.refreshJwt, undefined);
    if (tokenResponse === 'cookies') {
      // The new session arrived as a DS cookie, which the SDK passes on.
      const cookies = refreshed.cookies.join(';');
      assert.match(cookies, /(^|[;,]\s*)DS=ey/, 'a DS Set-Cookie');
      assert.doesNotMatch(cookies, /(^|[;,]\s*)DSR=/, 'no DSR cookie without rotation');
    } else {
      assert.deepEqual(refreshed.cookies, []);
    }
  });

  test('validateAndRefreshSession keeps a valid session and refreshes an expired one', async () => {
    const { sessionJwt, refreshJwt, user } = await loginTestUser();
    const kept = await sdk.validateAndRefreshSession(sessionJwt, refreshJwt);
    assert.equal(kept.jwt, sessionJwt, 'a valid session is not refreshed');

    // The control plane's expired_session preset: the session JWT expired a
    // minute ago on the mock's clock (real time here), the refresh JWT is live.
    const pair = await control('POST', 'sessions', { user: user.userId, preset: 'expired_session' });
    await assert.rejects(sdk.validateSession(pair.session_jwt), /"exp" claim timestamp check failed/, 'the minted session JWT is expired');
    const refreshed = await sdk.validateAndRefreshSession(pair.session_jwt, pair.refresh_jwt);
    assert.notEqual(refreshed.jwt, pair.session_jwt);
    assert.equal(refreshed.token.drn, 'DS');
    assert.equal(refreshed.token.sub, user.userId);
    assert.ok(refreshed.token.exp * 1000 > Date.now(), 'the refreshed session is live');
  });

  test('selectTenant gives a session whose dct is the tenant, with that tenant\'s roles', async () => {
    const { tenantId, roleNames } = acme;
    // Two tenants: Descope sets dct by itself only for a user of a single tenant.
    const { refreshJwt } = await loginTestUser({
      userTenants: [{ tenantId, roleNames }, { tenantId: 'T2MockTenantGlobex0000000002', roleNames: ['viewer'] }],
    });
    const before = await sdk.validateSession((await sdk.refreshSession(refreshJwt)).jwt);
    assert.equal(before.token.dct, undefined, 'no current tenant before selecting one');
    assert.equal(sdk.validateTenantRoles(before, tenantId, roleNames), true, 'the tenants claim lists every tenant');

    const selected = ok(await sdk.selectTenant(tenantId, refreshJwt), 'selectTenant');
    const session = await sdk.validateSession(sessionOf(selected));
    assert.equal(session.token.dct, tenantId);
    assert.equal(sdk.validateTenantRoles(session, tenantId, roleNames), true, 'the tenant roles are in the session');
    assert.ok(selected.refreshJwt, 'selectTenant hands back a refresh JWT');
    assert.equal(claims(selected.refreshJwt).dct, tenantId, 'the new refresh JWT keeps the tenant');

    // Refreshing with the new refresh JWT keeps the selected tenant.
    const refreshed = await sdk.refreshSession(selected.refreshJwt);
    assert.equal(refreshed.token.dct, tenantId);

    const unknown = await sdk.selectTenant('T2NoSuchTenant00000000000000', refreshJwt);
    assert.equal(unknown.ok, false, 'a tenant the user is not in is refused');
  });

  test('me returns the user behind the refresh JWT', async () => {
    const { loginId, user, refreshJwt } = await loginTestUser({ displayName: 'Me Myself' });
    const me = ok(await sdk.me(refreshJwt), 'me');
    assert.equal(me.userId, user.userId);
    assert.deepEqual(me.loginIds, [loginId]);
    assert.equal(me.email, loginId);
    assert.equal(me.name, 'Me Myself');
    assert.equal(me.test, true);
  });

  test('logout revokes the refresh JWT: refreshSession refuses it afterwards', async () => {
    const { refreshJwt } = await loginTestUser();
    await sdk.refreshSession(refreshJwt);
    ok(await sdk.logout(refreshJwt), 'logout');
    await assert.rejects(sdk.refreshSession(refreshJwt), /refresh token validation failed/);
    const raw = await sdk.refresh(refreshJwt);
    assert.equal(raw.ok, false);
    assert.equal(raw.error.errorCode, 'E064001', 'Descope: token expired by logout');
    const me = await sdk.me(refreshJwt);
    assert.equal(me.ok, false, 'me refuses a logged-out refresh JWT');
  });

  test('a session JWT where a refresh JWT belongs is refused', async () => {
    const { sessionJwt } = await loginTestUser();
    const raw = await sdk.refresh(sessionJwt);
    assert.equal(raw.ok, false, 'refresh with a session JWT');
    assert.equal(raw.code, 401);
  });

  test("the Playwright sample's magic-link flow: generateMagicLinkForTestUser, then magicLink.verify", async () => {
    counter += 1;
    const loginId = `node-sdk-${counter}@example.com`;
    const user = ok(await sdk.management.user.createTestUser(loginId, { email: loginId }), 'createTestUser');
    const { link } = ok(
      await sdk.management.user.generateMagicLinkForTestUser('email', loginId, 'https://test.local/verify'),
      'generateMagicLinkForTestUser',
    );
    const url = new URL(link);
    assert.equal(url.origin, 'https://test.local', 'the link goes to the URI the SDK sent');
    const token = url.searchParams.get('t');
    const jwt = ok(await sdk.magicLink.verify(token), 'magicLink.verify');
    const session = await sdk.validateSession(sessionOf(jwt));
    assert.equal(session.token.sub, user.userId);
    assert.ok(jwt.refreshJwt, 'a refresh JWT (body or DSR cookie)');
    assert.equal((await sdk.magicLink.verify(token)).ok, false, 'a magic link works once');
  });

  test('logoutAll ends every session of the user', async () => {
    const first = await loginTestUser();
    const { code } = ok(await sdk.management.user.generateOTPForTestUser('email', first.loginId), 'a second OTP');
    const second = ok(await sdk.otp.verify.email(first.loginId, code), 'a second login');
    ok(await sdk.logoutAll(second.refreshJwt), 'logoutAll');
    for (const refreshJwt of [first.refreshJwt, second.refreshJwt]) {
      const raw = await sdk.refresh(refreshJwt);
      assert.equal(raw.ok, false);
      assert.equal(raw.error.errorCode, 'E064001');
    }
  });

  test('a wrong OTP code is refused and a code works once', async () => {
    counter += 1;
    const loginId = `node-sdk-${counter}@example.com`;
    ok(await sdk.management.user.createTestUser(loginId, { email: loginId }), 'createTestUser');
    const { code } = ok(await sdk.management.user.generateOTPForTestUser('email', loginId), 'generateOTPForTestUser');
    const wrong = code === '000000' ? '111111' : '000000';
    assert.equal((await sdk.otp.verify.email(loginId, wrong)).ok, false, 'a wrong code');
    ok(await sdk.otp.verify.email(loginId, code), 'the right code');
    assert.equal((await sdk.otp.verify.email(loginId, code)).ok, false, 'the same code again');
  });

  test('user search honours the filters the SDK sends and refuses what the mock cannot use', async () => {
    // The default project's ordinary users, by user ID: admin, alice, multi.
    const ids = (found) => found.users.map((u) => u.loginIds[0]);
    const { loginId, user } = await loginTestUser();
    const all = ok(await sdk.management.user.search({}), 'search');
    assert.deepEqual(ids(all), ['admin@example.com', 'alice@example.com', 'multi@example.com']);
    assert.equal(all.total, 3, 'test users only when asked for');
    const byEmail = ok(await sdk.management.user.search({ emails: ['alice@example.com'] }), 'search emails');
    assert.deepEqual(ids(byEmail), ['alice@example.com']);
    const nobody = ok(await sdk.management.user.search({ emails: ['nobody@example.com'] }), 'search emails nobody');
    assert.deepEqual([nobody.users, nobody.total], [[], 0]);
    // roles travels as roleNames (lib/management/user.ts search).
    assert.deepEqual(ids(ok(await sdk.management.user.search({ roles: ['admin'] }), 'search roles')), ['admin@example.com']);
    const tenantRole = await sdk.management.user.search({ tenantRoleNames: { [acme.tenantId]: { values: ['tenant-admin'] } } });
    assert.deepEqual(ids(ok(tenantRole, 'search tenantRoleNames')), ['multi@example.com']);
    const sorted = ok(await sdk.management.user.search({ sort: [{ field: 'email', desc: true }], limit: 2 }), 'search sort');
    assert.deepEqual([ids(sorted), sorted.total], [['multi@example.com', 'alice@example.com'], 3]);
    const tests = ok(await sdk.management.user.searchTestUsers({ loginIds: [loginId] }), 'searchTestUsers');
    assert.deepEqual(tests.users.map((u) => u.userId), [user.userId]);

    // Issue 16 defect 7: page × limit overflowed into a 500.
    const overflow = await sdk.management.user.search({ page: 2 ** 62 });
    assert.equal(overflow.ok, false, 'an out-of-range page is refused');
    assert.match(overflow.error.errorMessage, /page/);
    const roleIds = await sdk.management.user.search({ tenantRoleIds: { [acme.tenantId]: { values: ['id1'] } } });
    assert.equal(roleIds.ok, false, 'tenantRoleIds is refused: the mock\'s roles have no IDs');
    assert.match(roleIds.error.errorMessage, /tenantRoleIds/);
  });

  test('deleteAllTestUsers removes the test users', async () => {
    const { loginId } = await loginTestUser();
    ok(await sdk.management.user.load(loginId), 'load before deleting');
    ok(await sdk.management.user.deleteAllTestUsers(), 'deleteAllTestUsers');
    const gone = await sdk.management.user.load(loginId);
    assert.equal(gone.ok, false, 'the test user is gone');
    const again = await sdk.management.user.generateOTPForTestUser('email', loginId);
    assert.equal(again.ok, false, 'no OTP for a deleted test user');
  });
});
