import { useEffect, useRef, useState } from 'react';
import { Descope, useDescope, useSession, useUser } from '@descope/react-sdk';

// The app signs a user in with an emailed one-time code, a magic link or an
// enchanted link (or, in OIDC mode, through the project's OIDC provider),
// then shows who is signed in and the session's claims. Each element the
// tests read has an id.
export default function App() {
  const path = window.location.pathname;
  if (path === '/magiclink') return <MagicLinkLanding />;
  if (path === '/enchantedlink') return <EnchantedLinkLanding />;
  if (path === '/react-flow') return <Home signIn={<FlowSignIn />} />;
  return <Home />;
}

// FlowSignIn signs in with a Descope flow (/react-flow?flow={flowId}):
// React's <Descope>, the real <descope-wc> inside, against the mock; the
// AuthProvider's baseCdnUrl (main.jsx) names where the UI components come
// from. On success react-sdk keeps the session as for any other sign-in.
function FlowSignIn() {
  const [error, setError] = useState('');
  const flowId = new URLSearchParams(window.location.search).get('flow') || 'sign-up-or-in';
  return (
    <>
      <Descope flowId={flowId} theme="light" onError={(e) => setError(describe(e.detail))} />
      {error && <p id="error">{error}</p>}
    </>
  );
}

function Home({ signIn = <SignIn /> }) {
  const { isAuthenticated, isSessionLoading, claims } = useSession();
  const { user, isUserLoading } = useUser();
  if (isSessionLoading) return <p id="status">loading</p>;
  if (!isAuthenticated) return signIn;
  return (
    <main>
      <p id="status">signed in</p>
      {isUserLoading || !user ? (
        <p id="user-loading">loading the user</p>
      ) : (
        <dl>
          <dt>Name</dt>
          <dd id="user-name">{user.name}</dd>
          <dt>Email</dt>
          <dd id="user-email">{user.email}</dd>
          <dt>User ID</dt>
          <dd id="user-id">{user.userId}</dd>
        </dl>
      )}
      <h2>Claims</h2>
      <pre id="claims">{JSON.stringify(claims ?? {}, null, 2)}</pre>
      <LogoutButton />
    </main>
  );
}

function LogoutButton() {
  const sdk = useDescope();
  const [error, setError] = useState('');
  const logout = async () => {
    const resp = await sdk.logout();
    if (!resp.ok) setError(describe(resp.error));
  };
  return (
    <>
      <button id="logout" onClick={logout}>Log out</button>
      {error && <p id="error">{error}</p>}
    </>
  );
}

// SignIn starts a sign-up-or-in: the mock "sends" the code or link to its
// outbox (GET /_mock/outbox), where a test reads it.
function SignIn() {
  const sdk = useDescope();
  const [email, setEmail] = useState('');
  const [step, setStep] = useState('start'); // start, otp-sent, link-sent, enchanted-sent
  const [code, setCode] = useState('');
  const [linkId, setLinkId] = useState('');
  const [error, setError] = useState('');
  const linkUri = (path) => `${window.location.origin}${path}`;

  const run = async (call, next) => {
    setError('');
    let resp;
    try {
      resp = await call();
    } catch (err) {
      // A network failure (no CORS, mock down) rejects instead of answering.
      setError(err.message);
      return undefined;
    }
    if (!resp.ok) {
      setError(describe(resp.error));
      return undefined;
    }
    if (next) setStep(next);
    return resp.data;
  };

  const sendCode = () => run(() => sdk.otp.signUpOrIn.email(email), 'otp-sent');
  const verifyCode = () => run(() => sdk.otp.verify.email(email, code));
  const sendMagicLink = () => run(() => sdk.magicLink.signUpOrIn.email(email, linkUri('/magiclink')), 'link-sent');
  const sendEnchantedLink = async () => {
    const data = await run(() => sdk.enchantedLink.signUpOrIn(email, linkUri('/enchantedlink')), 'enchanted-sent');
    if (!data) return;
    setLinkId(data.linkId);
    // Polls /v1/auth/enchantedlink/pending-session until the link is
    // opened (in any tab); the session then lands here.
    const session = await sdk.enchantedLink.waitForSession(data.pendingRef);
    if (!session.ok) setError(describe(session.error));
  };

  return (
    <main>
      <p id="status">signed out</p>
      {step === 'start' && (
        <>
          <label>
            Email <input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <button id="send-code" onClick={sendCode}>Email me a code</button>
          <button id="send-magic-link" onClick={sendMagicLink}>Email me a magic link</button>
          <button id="send-enchanted-link" onClick={sendEnchantedLink}>Email me an enchanted link</button>
          {window.appConfig.oidc && <OidcSignIn />}
        </>
      )}
      {step === 'otp-sent' && (
        <>
          <p id="sent">A code was sent to {email}.</p>
          <label>
            Code <input id="code" value={code} onChange={(e) => setCode(e.target.value)} />
          </label>
          <button id="verify-code" onClick={verifyCode}>Sign in</button>
        </>
      )}
      {step === 'link-sent' && <p id="sent">A magic link was sent to {email}: open it to sign in.</p>}
      {step === 'enchanted-sent' && (
        <p id="sent">
          An enchanted link was sent to {email}: open link <span id="link-id">{linkId}</span> to sign in here.
        </p>
      )}
      {error && <p id="error">{error}</p>}
    </main>
  );
}

function OidcSignIn() {
  const sdk = useDescope();
  return (
    <button id="oidc-sign-in" onClick={() => sdk.oidc.loginWithRedirect()}>
      Sign in with OIDC
    </button>
  );
}

// MagicLinkLanding is where the magic link leads: it verifies the link's
// token (t), which signs this tab in, and goes home.
function MagicLinkLanding() {
  const sdk = useDescope();
  const [error, setError] = useState('');
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = new URLSearchParams(window.location.search).get('t');
    sdk.magicLink.verify(token).then((resp) => {
      if (resp.ok) window.location.replace('/');
      else setError(describe(resp.error));
    });
  }, [sdk]);
  return error ? <p id="error">{error}</p> : <p id="status">verifying the magic link</p>;
}

// EnchantedLinkLanding is where the enchanted link leads: verifying its
// token signs in the tab that asked for the link, not this one.
function EnchantedLinkLanding() {
  const sdk = useDescope();
  const [state, setState] = useState('verifying the enchanted link');
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = new URLSearchParams(window.location.search).get('t');
    sdk.enchantedLink.verify(token).then((resp) => {
      setState(resp.ok ? 'link verified: go back to the first tab' : describe(resp.error));
    });
  }, [sdk]);
  return <p id="status">{state}</p>;
}

function describe(error) {
  return error ? `${error.errorCode}: ${error.errorDescription}` : 'failed';
}
