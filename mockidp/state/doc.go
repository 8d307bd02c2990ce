// Package state is the mock's run-time state and its one owner: a State
// holds every store that changes while the mock runs, and every operation
// on them, including those that span stores, is a method of the State that
// runs in one step. It serves no HTTP (no net/http) and does not import
// package mockidp; its errors are sentinels (errors.go) that package
// mockidp maps to HTTP answers in one place (mockidp/state_errors.go).
//
// # Stores
//
// Each store is a file, holds its own lock and is bounded in count and in
// bytes (limits.go):
//
//   - clients.go: the OAuth clients and the access keys (the project
//     file's and the control plane's);
//   - accesskey_store.go: the access keys created by the management API;
//   - users.go, users_index.go, directory_defs.go: the directory (users,
//     and the roles and tenants their grants are computed from) and its
//     email and phone indexes; directory_batch.go: role and permission
//     batches, all or nothing (ChangeRoles, ChangePermissions);
//   - permission_store.go: the permission definitions roles name;
//   - codes.go: pending OTP codes, magic links and enchanted links;
//   - sessions.go: the Descope refresh tokens issued (by jti);
//   - authcodes.go, pkce.go: OAuth authorization codes and their binding;
//   - families.go: OAuth refresh-token families and revoked access tokens;
//   - logins.go: the queue of next logins;
//   - outbox.go: the codes and links "sent";
//   - flow_store.go: the running flow executions;
//   - the login page's cache (state.go), rendered by the caller.
//
// # Operations that span stores
//
// lifecycle.go (EndSessions, RemoveUser, RemoveTestUsers), RedeemCode
// (check the code, start its family, mark it used; a reuse revokes the
// family), UseRefresh (a rotation's winner is decided in one step),
// SendCode (a code and its outbox message, or neither), Reset, and the
// additions that must not outlive their user (AddSession, AddCode,
// IssueCode, QueueLogin) take the locks of the stores they touch in this
// order and hold them to the end:
//
//	clients, managedKeys, permissions, users, codes, sessions, authCodes, families, logins, outbox, flows
//
// (the login page's lock comes before the users'). An operation never
// takes a lock earlier in the order than one it holds, and a callback
// run under a lock never calls back into the State. Work under a lock is
// at most linear in the stores it walks.
//
// # The clock
//
// The State reads time from Config.Now, the mock's controllable clock
// (mockidp.Clock), and never from time.Now.
//
// # What stays in package mockidp, and why
//
// The clock itself (mockidp.Clock, part of the Server's Go API, and the
// key set's clock too), the fault table and the request log
// (control_faults.go, control_requests.go: they describe HTTP requests and
// answers, by path and status), the metrics, and the cached JWKS and
// discovery responses (encoded HTTP bodies, rebuilt from the key set and
// the client list) are the HTTP server's, not the project's state. Reset
// (mockidp.Server.Reset) resets them beside State.Reset.
//
// # Adding a store
//
// A new store (roles, tenants, permissions, access keys of the management
// API, flow executions, ...) is a new file here holding:
//
//  1. an unexported type with its own sync.Mutex (or RWMutex) and a
//     resetLocked method that empties it or loads the project's
//     configuration;
//  2. limits in bytes as well as in count (constants in limits.go or in the
//     file), each new entry's size estimated in bytes, and a "full"
//     sentinel made with newLimit in errors.go (errors.Is(err, ErrLimit),
//     which package mockidp answers 409 M000409 with the sentinel's
//     message: name the limit in it, or add a case to mockidp's
//     limitError); other failures are plain sentinels in errors.go, mapped
//     in mockidp/state_errors.go;
//  3. a field in State, its lock in lockAll and unlockAll at its place in
//     the order above (and in the order of this doc), and its resetLocked
//     call in Reset;
//  4. exported methods on *State for what handlers need; when the store
//     holds something of a user, RemoveUser (forgetLocked) drops it, in
//     the same step, and additions check the user under the users' read
//     lock as AddSession does;
//  5. tests in this package with a testClock (helpers_test.go), and a race
//     test when an operation spans stores.
package state
