/**
 * The dashboard: asks the server who is signed in, shows sign-in until someone is, then the
 * page the hash names inside the shell, with live updates flowing. Any 401 returns to sign-in.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { apiRequest, setCsrfToken, setUnauthorizedHandler } from './api/api-client.js';
import type { Session } from './api/api-types.js';
import { AppShell } from './components/app-shell.js';
import { EmptyState, Loading, PageHeader } from './components/common.js';
import { LiveProvider } from './live/live-context.js';
import { AuditPage } from './pages/audit-page.js';
import { DataPage } from './pages/data-page.js';
import { EnvironmentsPage } from './pages/environments-page.js';
import { LoginPage } from './pages/login-page.js';
import { ParityPage } from './pages/parity-page.js';
import { ParityReportPage } from './pages/parity-report-page.js';
import { ReleasePage } from './pages/release-page.js';
import { ReleasesPage } from './pages/releases-page.js';
import { ReplayReportPage } from './pages/replay-report-page.js';
import { PeoplePage } from './pages/people-page.js';
import { ReservationsPage } from './pages/reservations-page.js';
import { SyncReportPage } from './pages/sync-report-page.js';
import { TrafficPage } from './pages/traffic-page.js';
import { links, sectionOf, useRoute, type Route } from './router.js';

/** GET /session answers the Session; tolerate `{ session }` too. */
function sessionOf(body: Session | { session: Session }): Session {
  return 'session' in body ? body.session : body;
}

export function App(): ReactNode {
  // undefined: still asking the server; null: nobody signed in.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const route = useRoute();

  // Whether someone was signed in: a 401 then says the session ended, not just "sign in".
  const signedIn = useRef(false);

  const signIn = useCallback((s: Session) => {
    setCsrfToken(s.csrfToken);
    signedIn.current = true;
    setNotice(undefined);
    setSession(s);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(undefined);
      if (signedIn.current) setNotice('Your session ended. Sign in again.');
      signedIn.current = false;
      setSession(null);
    });
    apiRequest<Session | { session: Session }>('GET', '/session').then(
      (body) => signIn(sessionOf(body)),
      () => {
        if (!signedIn.current) setSession(null);
      },
    );
    return () => setUnauthorizedHandler(undefined);
  }, [signIn]);

  // When the event stream drops, a GET /session tells whether the session is still good
  // (a 401 goes back to sign-in through the handler above).
  const checkSession = useCallback(() => {
    apiRequest<Session>('GET', '/session').catch(() => undefined);
  }, []);

  const signOut = useCallback(() => {
    apiRequest<undefined>('DELETE', '/session')
      .catch(() => undefined)
      .finally(() => {
        setCsrfToken(undefined);
        signedIn.current = false;
        setNotice('You signed out.');
        setSession(null);
      });
  }, []);

  if (session === undefined)
    return (
      <main className="login" id="main">
        <Loading />
      </main>
    );
  if (session === null) return <LoginPage onSignedIn={signIn} notice={notice} />;
  return (
    <LiveProvider onLost={checkSession}>
      <AppShell
        session={session}
        current={sectionOf(route)}
        routeKey={JSON.stringify(route)}
        onSignOut={signOut}
      >
        <Page route={route} session={session} />
      </AppShell>
    </LiveProvider>
  );
}

function Page(props: { route: Route; session: Session }): ReactNode {
  const { route } = props;
  switch (route.page) {
    case 'environments':
      return <EnvironmentsPage />;
    case 'parity':
      return <ParityPage />;
    case 'parity-report':
      return <ParityReportPage id={route.id} />;
    case 'data':
      return <DataPage />;
    case 'sync-report':
      return <SyncReportPage id={route.id} />;
    case 'traffic':
      return <TrafficPage />;
    case 'replay-report':
      return <ReplayReportPage id={route.id} />;
    case 'releases':
      return <ReleasesPage />;
    case 'release':
      return <ReleasePage version={route.version} />;
    case 'reservations':
      return <ReservationsPage session={props.session} />;
    case 'people':
      return <PeoplePage />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <>
          <PageHeader title="Page not found" />
          <EmptyState>
            Nothing lives at <code>#{route.path}</code>.{' '}
            <a href={links.environments}>Go to Environments</a>.
          </EmptyState>
        </>
      );
  }
}
