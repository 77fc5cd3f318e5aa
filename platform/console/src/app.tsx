import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, loadSession, saveSession, formatTime, type Coverage, type Session } from './api.js';
import { OFFERED, type Offered } from './allowed.js';
import { LiveEvents, type LiveState } from './live.js';
import { href, useRoute } from './router.js';
import { Console, type ClockState, type ConsoleContext } from './ui.js';
import { LoginPage } from './pages/login.js';
import { SimsPage } from './pages/sims.js';
import { SimDetailPage } from './pages/sim-detail.js';
import { DevicesPage } from './pages/devices.js';
import { DeviceDetailPage } from './pages/device-detail.js';
import { EsimPage } from './pages/esim.js';
import { TransfersPage } from './pages/transfers.js';
import { BillingPage } from './pages/billing.js';
import { ClockPage } from './pages/clock.js';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  // Why the last session ended when the user did not log out (shown on the login page).
  const [ended, setEnded] = useState<string | null>(null);
  const change = (s: Session | null): void => {
    saveSession(s);
    setSession(s);
    if (s) setEnded(null);
  };
  const refused = (): void => {
    setEnded(SESSION_ENDED);
    change(null);
  };
  if (!session) return <LoginPage onLogIn={change} notice={ended} />;
  return <Shell key={`${session.token}/${session.coverage}`} session={session} onSession={change} onRefused={refused} />;
}

/**
 * [choice] A 401 on a page load or action means the token is no longer good: it expired (on a
 * virtual clock moved past its expiry, too: tokens live 24 h of platform time) or was revoked.
 */
const SESSION_ENDED = 'Your session has ended: the platform no longer accepts its token (it expired, possibly because the platform’s time moved past it, or it was revoked). Log in again.';

function Shell({ session, onSession, onRefused }: { session: Session; onSession: (s: Session | null) => void; onRefused: () => void }) {
  const route = useRoute();
  const api = useMemo(() => new Api(session, onRefused), [session]);
  const live = useMemo(() => new LiveEvents(api), [api]);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [clock, setClock] = useState<ClockState | null>(null);
  const isRoot = session.userName === null;
  // What a SAM user may do, asked once; until the answer is in, nothing is offered.
  const [allowed, setAllowed] = useState<Record<string, boolean> | null>(isRoot ? {} : null);
  useEffect(() => {
    if (isRoot) return;
    const query = new URLSearchParams(Object.values(OFFERED).map((api) => ['api', api])).toString();
    api.get<{ allowed: Record<string, boolean> }>(`/_cellgate/me?${query}`).then(
      (me) => setAllowed(me.allowed),
      // A platform that cannot say: offer everything and let the API's refusals speak.
      () => setAllowed(Object.fromEntries(Object.values(OFFERED).map((a) => [a, true]))),
    );
  }, [api, isRoot]);
  const can = (what: Offered): boolean => isRoot || allowed?.[OFFERED[what]] === true;

  useEffect(() => {
    const off = live.onState(setLiveState);
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);

  useEffect(() => {
    // The clock is root only, and shown only when the platform runs on a virtual one.
    if (!isRoot) return;
    api.get<ClockState & { virtual: boolean }>('/_cellgate/clock').then(
      (c) => setClock(c.virtual ? c : null),
      (e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
        setClock(null);
      },
    );
  }, [api, isRoot]);

  const ctx: ConsoleContext = { api, session, live, isRoot, can, clock, setClock };
  const nav: { path: string; label: string; show: boolean }[] = [
    { path: 'sims', label: 'SIMs', show: can('listSims') },
    { path: 'devices', label: 'Devices', show: can('listDevices') },
    { path: 'esim', label: 'eSIM', show: can('listOrders') },
    { path: 'transfers', label: 'Transfers', show: can('outbox') || can('issueToken') || can('listSupport') },
    // Payment and bills are root only: a SAM user sees no entry at all (SPEC §1.7).
    { path: 'billing', label: 'Billing and payment', show: isRoot },
    { path: 'clock', label: 'Clock', show: isRoot && clock !== null },
  ];

  const page = route.path[0] ?? nav.find((n) => n.show)?.path ?? 'sims';
  const logOut = async (): Promise<void> => {
    await api.logOut().catch(() => undefined);
    onSession(null);
  };

  return (
    <Console.Provider value={ctx}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          // The hash is the router's: move the focus instead of navigating to "#main".
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">cellgate console</span>
        <span class="who">
          {session.loginName} · {session.operatorId} {isRoot ? '· root' : '· SAM user'}
        </span>
        <label class="coverage">
          Coverage{' '}
          <select value={session.coverage} onChange={(e) => onSession({ ...session, coverage: (e.currentTarget as HTMLSelectElement).value as Coverage })}>
            <option value="g">g (global)</option>
            <option value="jp">jp (Japan)</option>
          </select>
        </label>
        {clock ? (
          <a class="clock" href={href('clock')} aria-label={`Platform time ${formatTime(clock.now)} (virtual)`}>
            {formatTime(clock.now)} (virtual)
          </a>
        ) : null}
        <span class={`live ${liveState}`} role="status" aria-live="polite">
          {liveState === 'live' ? 'Live' : liveState === 'off' ? 'Live updates off' : 'Connecting…'}
        </span>
        <button type="button" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <nav aria-label="Main" class="side">
        <ul>
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <li key={n.path}>
                <a href={href(n.path)} aria-current={page === n.path ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {allowed === null ? (
          <p role="status">Loading your permissions…</p>
        ) : nav.some((n) => n.path === page && !n.show) ? (
          <NotFound />
        ) : (
          <Page path={route.path.length ? route.path : [page]} query={route.query} isRoot={isRoot} hasClock={clock !== null} />
        )}
      </main>
    </Console.Provider>
  );
}

function Page({ path, query, isRoot, hasClock }: { path: string[]; query: URLSearchParams; isRoot: boolean; hasClock: boolean }) {
  const [page = 'sims', id] = path;
  switch (page) {
    case 'sims':
      return id ? <SimDetailPage imsi={id} /> : <SimsPage query={query} />;
    case 'devices':
      return id ? <DeviceDetailPage deviceId={id} /> : <DevicesPage />;
    case 'esim':
      return <EsimPage />;
    case 'transfers':
      return <TransfersPage />;
    case 'billing':
      return isRoot ? <BillingPage /> : <NotFound />;
    case 'clock':
      return isRoot && hasClock ? <ClockPage /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        This page does not exist. <a href={href('sims')}>Go to the SIMs</a>.
      </p>
    </>
  );
}
