// Descope's own Node SDK (@descope/node-sdk, pinned in package.json) drives
// mockidp's management API as a Node backend does at run time: user
// updates, roles, tenants, permissions, access keys for its own customers,
// impersonation and management step-up, each followed by the session check
// (refreshSession, then the new claims). Run by `make test-node-sdk` with
// sessions.test.mjs (nodesdk_test.go passes MOCKIDP_URL, MOCKIDP_PROJECT_ID
// and MOCKIDP_MANAGEMENT_KEY).
//
// The SDK's paths and bodies are those of node-sdk lib/management/user.ts,
// role.ts, permission.ts, tenant.ts, accesskey.ts and jwt.ts of the pinned
// version (v2.13.0): addRoles goes to /v2/mgmt/user/update/role/add,
// removeRoles to /v1/.../role/remove, patch is an HTTP PATCH.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import DescopeClient from '@descope/node-sdk';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run make test-node-sdk`);
  return v;
};

const baseUrl = env('MOCKIDP_URL');
const projectId = env('MOCKIDP_PROJECT_ID');
const managementKey = env('MOCKIDP_MANAGEMENT_KEY');
const sdk = DescopeClient({ projectId, baseUrl, managementKey });
const mgmt = sdk.management;

// The default project (fixtures/project.yaml).
const alice = 'alice@example.com';
const aliceId = 'U2MockUserAlice0000000000001';
const adminId = 'U2MockUserAdmin0000000000002';
const acme = 'T2MockTenantAcme000000000001';

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

function ok(resp, what) {
  assert.equal(resp.ok, true, `${what}: ${JSON.stringify(resp.error)}`);
  return resp.data;
}

function refused(resp, errorCode, what) {
  assert.equal(resp.ok, false, `${what}: succeeded, want ${errorCode}`);
  assert.equal(resp.error.errorCode, errorCode, `${what}: ${JSON.stringify(resp.error)}`);
}

// session is a live session of a user of the project (the control plane's
// mint, as a login would give it).
async function session(user) {
  const pair = await control('POST', 'sessions', { user });
  return pair.refresh_jwt;
}

// refreshed is the token of the next session JWT of a refresh JWT, which
// the SDK validates (signature, issuer, exp).
async function refreshed(refreshJwt) {
  return (await sdk.refreshSession(refreshJwt)).token;
}

describe('Descope Node SDK management calls against mockidp', () => {
  before(async () => {
    await control('GET', 'health');
  });
  beforeEach(async () => {
    await control('POST', 'reset');
  });
  after(async () => {
    await control('POST', 'reset');
  });

  test('a role change shows in the next refreshed session, not in the one already issued', async () => {
    const refreshJwt = await session(alice);
    const before = await refreshed(refreshJwt);
    assert.deepEqual(before.roles, ['user']);

    const user = ok(await mgmt.user.addRoles(alice, ['admin']), 'addRoles');
    assert.deepEqual(user.roleNames, ['user', 'admin']);
    const after = await refreshed(refreshJwt);
    assert.deepEqual(after.roles, ['user', 'admin']);
    assert.ok(after.permissions.includes('users.delete'), `admin's permissions: ${after.permissions}`);
    assert.deepEqual(before.roles, ['user'], 'the earlier session JWT keeps its claims');

    ok(await mgmt.user.removeRoles(aliceId, ['user']), 'removeRoles by user ID');
    assert.deepEqual((await refreshed(refreshJwt)).roles, ['admin']);
    ok(await mgmt.user.setRoles(alice, ['viewer']), 'setRoles');
    assert.deepEqual((await refreshed(refreshJwt)).roles, ['viewer']);
    refused(await mgmt.user.addRoles(alice, ['root']), 'E011004', 'an unknown role');
  });

  test('tenant membership and tenant roles show in the next refresh', async () => {
    const refreshJwt = await session(alice);
    ok(await mgmt.user.addTenant(alice, acme), 'addTenant');
    ok(await mgmt.user.addTenantRoles(alice, acme, ['tenant-admin']), 'addTenantRoles');
    let token = await refreshed(refreshJwt);
    assert.deepEqual(token.tenants[acme].roles, ['tenant-admin']);
    assert.equal(sdk.validateTenantRoles({ token }, acme, ['tenant-admin']), true);
    ok(await mgmt.user.setTenantRoles(alice, acme, ['viewer']), 'setTenantRoles');
    assert.deepEqual((await refreshed(refreshJwt)).tenants[acme].roles, ['viewer']);
    ok(await mgmt.user.removeTenantRoles(alice, acme, ['viewer']), 'removeTenantRoles');
    ok(await mgmt.user.removeTenant(alice, acme), 'removeTenant');
    token = await refreshed(refreshJwt);
    assert.equal(token.tenants, undefined, `no tenants after removeTenant: ${JSON.stringify(token.tenants)}`);
  });

  test("a disabled user's refresh is refused; enabled again, it signs in anew", async () => {
    const refreshJwt = await session(alice);
    const user = ok(await mgmt.user.deactivate(alice), 'deactivate');
    assert.equal(user.status, 'disabled');
    await assert.rejects(sdk.refreshSession(refreshJwt), /refresh token validation failed/);
    refused(await sdk.refresh(refreshJwt), 'E062110', 'refresh of a disabled user');
    refused(await mgmt.jwt.signIn(alice), 'E062110', 'management sign-in of a disabled user');
    assert.equal(ok(await mgmt.user.activate(alice), 'activate').status, 'enabled');
    refused(await sdk.refresh(refreshJwt), 'E064001', 'the session disabling ended');
    const jwt = ok(await mgmt.jwt.signIn(alice), 'management sign-in');
    assert.equal((await sdk.validateSession(jwt.sessionJwt)).token.sub, aliceId);
  });

  test('update, patch and the single-field writes; load and me answer every field', async () => {
    ok(
      await mgmt.user.update(alice, {
        email: 'alice2@example.com',
        givenName: 'Alice',
        middleName: 'B',
        familyName: 'Example',
        roles: ['user'],
        customAttributes: { plan: 'pro' },
        picture: 'https://example.com/a.png',
      }),
      'update',
    );
    let user = ok(await mgmt.user.patch(alice, { displayName: 'Al', customAttributes: { seats: 3 } }), 'patch');
    assert.equal(user.name, 'Al');
    assert.equal(user.givenName, 'Alice');
    assert.deepEqual(user.customAttributes, { plan: 'pro', seats: 3 });
    user = ok(await mgmt.user.updateEmail(alice, 'alice3@example.com', true), 'updateEmail');
    assert.equal(user.email, 'alice3@example.com');
    ok(await mgmt.user.updateDisplayName(alice, 'Alice B.'), 'updateDisplayName');
    ok(await mgmt.user.updatePicture(alice, 'https://example.com/b.png'), 'updatePicture');
    ok(await mgmt.user.updateCustomAttribute(alice, 'tier', 'gold'), 'updateCustomAttribute');
    const loaded = ok(await mgmt.user.load(alice), 'load');
    for (const field of ['givenName', 'middleName', 'familyName', 'picture', 'createdTime', 'status', 'TOTP', 'SAML', 'password', 'OAuth']) {
      assert.ok(field in loaded, `load answers ${field}`);
    }
    const me = ok(await sdk.me(await session(alice)), 'me');
    assert.equal(me.name, 'Alice B.');
    assert.equal(me.familyName, 'Example');
    assert.equal(me.customAttributes.tier, 'gold');
  });

  test('user batches: createBatch, patchBatch, loadUsers, deleteBatch, each seen in the next session', async () => {
    const created = ok(
      await mgmt.user.createBatch([
        {
          loginId: 'batch-1@example.com',
          email: 'batch-1@example.com',
          roles: ['viewer'],
          userTenants: [{ tenantId: acme, roleNames: ['tenant-admin'] }],
          customAttributes: { plan: 'gold' },
          password: 'batch-Pass-1',
        },
        { loginIdOrUserId: 'batch-2@example.com', test: true },
        { loginId: alice },
      ]),
      'createBatch',
    );
    assert.deepEqual(created.createdUsers.map((u) => u.loginIds[0]), ['batch-1@example.com', 'batch-2@example.com']);
    assert.equal(created.createdUsers[0].customAttributes.plan, 'gold');
    assert.equal(created.createdUsers[1].test, true);
    assert.equal(created.failedUsers.length, 1, JSON.stringify(created.failedUsers));
    assert.equal(created.failedUsers[0].user.loginIds[0], alice);
    assert.match(created.failedUsers[0].failure, /^E062107: /);

    // The batch's cleartext password signs in; the session carries its roles and tenants.
    const signedIn = ok(await sdk.password.signIn('batch-1@example.com', 'batch-Pass-1'), 'password.signIn');
    const refreshJwt = signedIn.refreshJwt;
    let token = await refreshed(refreshJwt);
    assert.deepEqual(token.roles, ['viewer']);
    assert.deepEqual(token.tenants[acme].roles, ['tenant-admin']);

    const patched = ok(
      await mgmt.user.patchBatch([
        { loginIdOrUserId: 'batch-1@example.com', roles: ['admin'], customAttributes: { seats: 3 } },
        { loginId: 'ghost@example.com', displayName: 'Nobody' },
      ]),
      'patchBatch',
    );
    assert.deepEqual(patched.patchedUsers[0].customAttributes, { plan: 'gold', seats: 3 });
    assert.equal(patched.failedUsers.length, 1, JSON.stringify(patched.failedUsers));
    token = await refreshed(refreshJwt);
    assert.deepEqual(token.roles, ['admin'], 'the patched roles in the next session');
    assert.ok(token.permissions.includes('users.delete'));

    const ids = created.createdUsers.map((u) => u.userId);
    const loaded = ok(await mgmt.user.loadUsers([...ids, 'U2NoSuchUser000000000000000']), 'loadUsers');
    assert.deepEqual(loaded.map((u) => u.userId), ids);
    ok(await mgmt.user.deleteBatch(ids), 'deleteBatch');
    refused(await sdk.refresh(refreshJwt), 'E064001', 'the session of a user the batch deleted');
    assert.deepEqual(ok(await mgmt.user.loadUsers(ids), 'loadUsers after deleteBatch'), []);
  });

  test('passwords: a temporary or expired password is refused at sign-in, an active one signs in', async () => {
    ok(await mgmt.user.setTemporaryPassword(alice, 'temp-Pass-1'), 'setTemporaryPassword');
    refused(await sdk.password.signIn(alice, 'temp-Pass-1'), 'E062909', 'sign-in with a temporary password');
    refused(await sdk.password.signIn(alice, 'wrong-Pass-0'), 'E062901', 'sign-in with a wrong password');
    ok(await mgmt.user.setActivePassword(alice, 'active-Pass-2'), 'setActivePassword');
    const signedIn = ok(await sdk.password.signIn(alice, 'active-Pass-2'), 'password.signIn');
    const token = await refreshed(signedIn.refreshJwt);
    assert.equal(token.sub, aliceId);
    assert.deepEqual(token.roles, ['user']);
    ok(await mgmt.user.expirePassword(alice), 'expirePassword');
    refused(await sdk.password.signIn(alice, 'active-Pass-2'), 'E062909', 'sign-in with an expired password');
    assert.equal((await refreshed(signedIn.refreshJwt)).sub, aliceId, 'expiring the password leaves the session alone');
    ok(await mgmt.user.setPassword(alice, 'deprecated-Pass-3'), 'setPassword (deprecated: temporary)');
    refused(await sdk.password.signIn(alice, 'deprecated-Pass-3'), 'E062909', 'sign-in after the deprecated setPassword');
  });

  test('roles and permissions: create, update, search, delete, each seen in the next refresh', async () => {
    const refreshJwt = await session(alice);
    ok(await mgmt.permission.create('reports.view', 'See reports'), 'permission.create');
    ok(await mgmt.role.create('analyst', 'Reads reports', ['reports.view']), 'role.create');
    ok(await mgmt.user.addRoles(alice, ['analyst']), 'addRoles');
    assert.ok((await refreshed(refreshJwt)).permissions.includes('reports.view'));
    ok(await mgmt.role.update('analyst', 'reporter', 'Reads reports', ['reports.view', 'data.read']), 'role.update');
    assert.deepEqual((await refreshed(refreshJwt)).roles, ['user', 'reporter'], 'a renamed role is renamed for its users');
    const found = ok(await mgmt.role.search({ roleNameLike: 'REPO' }), 'role.search');
    assert.deepEqual(found.map((r) => r.name), ['reporter']);
    assert.ok(ok(await mgmt.role.loadAll(), 'role.loadAll').some((r) => r.name === 'reporter'));
    ok(await mgmt.permission.delete('reports.view'), 'permission.delete');
    assert.ok(!(await refreshed(refreshJwt)).permissions.includes('reports.view'));
    ok(await mgmt.role.delete('reporter'), 'role.delete');
    assert.deepEqual((await refreshed(refreshJwt)).roles, ['user'], 'a deleted role leaves its users');
    assert.ok(!ok(await mgmt.permission.loadAll(), 'permission.loadAll').some((p) => p.name === 'reports.view'));
  });

  test('role and permission batches: all or nothing, each seen in the next refresh', async () => {
    const refreshJwt = await session(alice);
    ok(
      await mgmt.permission.createBatch([{ name: 'reports.view', description: 'See reports' }, { name: 'reports.edit' }]),
      'permission.createBatch',
    );
    const roles = ok(
      await mgmt.role.createBatch([
        { name: 'analyst', description: 'Reads reports', permissionNames: ['reports.view'] },
        { name: 'editor', permissionNames: ['reports.edit'], tenantId: acme },
      ]),
      'role.createBatch',
    );
    assert.deepEqual(roles.map((r) => [r.name, r.tenantId ?? '']), [['analyst', ''], ['editor', acme]]);
    ok(await mgmt.user.addRoles(alice, ['analyst']), 'addRoles');
    assert.ok((await refreshed(refreshJwt)).permissions.includes('reports.view'));

    // One failing item (a duplicate) and nothing of the batch is written.
    refused(await mgmt.role.createBatch([{ name: 'auditor' }, { name: 'analyst' }]), 'E011409', 'a batch with a duplicate');
    assert.ok(!ok(await mgmt.role.loadAll(), 'role.loadAll').some((r) => r.name === 'auditor'), 'the all-or-nothing batch created none');

    const updated = ok(
      await mgmt.role.updateBatch([{ name: 'analyst', newName: 'reporter', permissionNames: ['reports.view', 'reports.edit'] }]),
      'role.updateBatch',
    );
    assert.deepEqual(updated.map((r) => r.name), ['reporter']);
    let token = await refreshed(refreshJwt);
    assert.deepEqual(token.roles, ['user', 'reporter'], 'a renamed role is renamed for its users');
    assert.ok(token.permissions.includes('reports.edit'));
    ok(await mgmt.permission.updateBatch([{ name: 'reports.view', newName: 'reports.read' }]), 'permission.updateBatch');
    assert.ok((await refreshed(refreshJwt)).permissions.includes('reports.read'));
    ok(await mgmt.permission.deleteBatch(['reports.read', 'reports.edit']), 'permission.deleteBatch');
    assert.deepEqual((await refreshed(refreshJwt)).permissions, ['data.read']);
    ok(await mgmt.role.deleteBatch(['reporter']), 'role.deleteBatch');
    ok(await mgmt.role.deleteBatch(['editor'], acme), 'role.deleteBatch in a tenant');
    token = await refreshed(refreshJwt);
    assert.deepEqual(token.roles, ['user'], 'a deleted role leaves its users');
  });

  test('tenants: create, load, search, update, delete, each seen in the next refresh', async () => {
    const refreshJwt = await session(alice);
    const { id } = ok(await mgmt.tenant.create('Initech', ['initech.example'], { plan: 'gold' }), 'tenant.create');
    assert.match(id, /^T/);
    assert.equal(ok(await mgmt.tenant.load(id), 'tenant.load').name, 'Initech');
    ok(await mgmt.user.addTenant(alice, id), 'addTenant');
    assert.ok((await refreshed(refreshJwt)).tenants[id], 'the new tenant in the next session');
    ok(await mgmt.tenant.update(id, 'Initech Corp', ['initech.example'], { plan: 'platinum' }), 'tenant.update');
    const found = ok(await mgmt.tenant.searchAll(undefined, ['initech corp']), 'tenant.searchAll');
    assert.deepEqual(found.map((t) => [t.id, t.customAttributes.plan]), [[id, 'platinum']]);
    ok(await mgmt.tenant.delete(id), 'tenant.delete');
    assert.equal((await refreshed(refreshJwt)).tenants, undefined, 'the deleted tenant leaves the session');
    assert.equal(ok(await mgmt.tenant.loadAll(), 'tenant.loadAll').length, 2);
  });

  test("access keys for a service's customers: the cleartext once, exchange, deactivate, activate, delete", async () => {
    const created = ok(
      await mgmt.accessKey.create('customer-1', 0, ['viewer'], [{ tenantId: acme, roleNames: ['tenant-admin'] }], undefined, { customer: 'c1' }, 'For c1'),
      'accessKey.create',
    );
    const { id } = created.key;
    assert.match(id, /^K/);
    assert.ok(created.cleartext, 'the cleartext key is answered at creation');
    let info = await sdk.exchangeAccessKey(created.cleartext);
    assert.equal(info.token.sub, id);
    assert.deepEqual(info.token.roles, ['viewer']);
    assert.equal(info.token.customer, 'c1');
    assert.ok(sdk.validateTenantRoles(info, acme, ['tenant-admin']));

    const loaded = ok(await mgmt.accessKey.load(id), 'accessKey.load');
    assert.equal(loaded.name, 'customer-1');
    assert.ok(!JSON.stringify(loaded).includes(created.cleartext), 'load never answers the cleartext');
    const updated = ok(await mgmt.accessKey.update(id, 'customer-1b', undefined, ['admin']), 'accessKey.update');
    assert.deepEqual(updated.roleNames, ['admin']);
    info = await sdk.exchangeAccessKey(created.cleartext);
    assert.ok(info.token.permissions.includes('users.delete'), 'the updated roles in the next exchange');
    assert.deepEqual(ok(await mgmt.accessKey.searchAll([acme]), 'accessKey.searchAll').map((k) => k.id), [id]);

    ok(await mgmt.accessKey.deactivate(id), 'accessKey.deactivate');
    await assert.rejects(sdk.exchangeAccessKey(created.cleartext), 'a deactivated key is refused');
    ok(await mgmt.accessKey.activate(id), 'accessKey.activate');
    await sdk.exchangeAccessKey(created.cleartext);
    ok(await mgmt.accessKey.delete(id), 'accessKey.delete');
    await assert.rejects(sdk.exchangeAccessKey(created.cleartext), 'a deleted key is refused');
  });

  test('access keys: rotate refuses the old secret and exchanges the new; batch deactivate, activate and delete', async () => {
    const a = ok(await mgmt.accessKey.create('customer-a', 0, ['viewer']), 'accessKey.create a');
    const b = ok(await mgmt.accessKey.create('customer-b', 0, ['admin']), 'accessKey.create b');
    assert.equal((await sdk.exchangeAccessKey(a.cleartext)).token.sub, a.key.id);

    const rotated = ok(await mgmt.accessKey.rotate(a.key.id), 'accessKey.rotate');
    assert.equal(rotated.key.id, a.key.id);
    assert.ok(rotated.cleartext && rotated.cleartext !== a.cleartext, 'a new cleartext');
    await assert.rejects(sdk.exchangeAccessKey(a.cleartext), 'the old secret is refused after rotation');
    const info = await sdk.exchangeAccessKey(rotated.cleartext);
    assert.equal(info.token.sub, a.key.id);
    assert.deepEqual(info.token.roles, ['viewer'], 'the rotated key keeps its roles');

    const ids = [a.key.id, b.key.id];
    refused(await mgmt.accessKey.deactivateBatch([...ids, 'K2NoSuchKey0000000000000000']), 'E011004', 'a batch with an unknown ID');
    await sdk.exchangeAccessKey(b.cleartext); // the refused batch deactivated none
    ok(await mgmt.accessKey.deactivateBatch(ids), 'accessKey.deactivateBatch');
    await assert.rejects(sdk.exchangeAccessKey(rotated.cleartext), 'a deactivated key is refused');
    await assert.rejects(sdk.exchangeAccessKey(b.cleartext), 'a deactivated key is refused');
    refused(await mgmt.accessKey.rotate(a.key.id), 'E011004', 'rotating a deactivated key');
    ok(await mgmt.accessKey.activateBatch(ids), 'accessKey.activateBatch');
    assert.ok((await sdk.exchangeAccessKey(b.cleartext)).token.permissions.includes('users.delete'));
    ok(await mgmt.accessKey.deleteBatch(ids), 'accessKey.deleteBatch');
    await assert.rejects(sdk.exchangeAccessKey(rotated.cleartext), 'a deleted key is refused');
    await assert.rejects(sdk.exchangeAccessKey(b.cleartext), 'a deleted key is refused');
  });

  test('impersonation: act in the impersonated sessions, stopImpersonation back to the impersonator', async () => {
    const { jwt } = ok(await mgmt.jwt.impersonate(adminId, alice, false, { ticket: 'T-1' }), 'jwt.impersonate');
    const token = await refreshed(jwt);
    assert.equal(token.sub, aliceId);
    assert.deepEqual(token.act, { sub: adminId });
    assert.equal(token.ticket, 'T-1');
    const stepped = ok(await mgmt.jwt.impersonateStepup(adminId, alice, false), 'jwt.impersonateStepup');
    assert.equal((await refreshed(stepped.jwt)).su, true);
    const back = ok(await mgmt.jwt.stopImpersonation(jwt), 'jwt.stopImpersonation');
    const own = await refreshed(back.jwt);
    assert.equal(own.sub, adminId);
    assert.equal(own.act, undefined);
    refused(await sdk.refresh(jwt), 'E064001', 'the impersonated session ended');
  });

  test('management sign-in step-up and MFA extend the session they name', async () => {
    const first = ok(await mgmt.jwt.signIn(alice), 'signIn');
    const stepped = ok(await mgmt.jwt.signIn(alice, { stepup: true, jwt: first.refreshJwt, customClaims: { k: 'v' } }), 'signIn stepup');
    const token = (await sdk.validateSession(stepped.sessionJwt)).token;
    assert.equal(token.su, true);
    assert.equal(token.k, 'v');
    assert.equal((await refreshed(stepped.refreshJwt)).su, true, 'su stays through refreshes');
    const mfa = ok(await mgmt.jwt.signIn(alice, { mfa: true, jwt: first.refreshJwt }), 'signIn mfa');
    assert.deepEqual((await sdk.validateSession(mfa.sessionJwt)).token.amr, ['mfa']);
    const presets = await control('POST', 'sessions', { user: alice, preset: 'mfa' });
    assert.deepEqual((await sdk.validateSession(presets.session_jwt)).token.amr, ['email', 'totp']);
  });
});
