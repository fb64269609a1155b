/**
 * The frame around every page: a skip link, the navigation, who is signed in with the sign-out
 * button, whether live updates flow, and the main landmark (focused at its h1 on navigation).
 */
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import type { Session } from '../api/api-types.js';
import { useConnection, useJobs } from '../live/live-context.js';
import { links, type Section } from '../router.js';

const sections: readonly { section: Section; label: string; href: string }[] = [
  { section: 'environments', label: 'Environments', href: links.environments },
  { section: 'parity', label: 'Parity', href: links.parity },
  { section: 'data', label: 'Data', href: links.data },
  { section: 'traffic', label: 'Traffic', href: links.traffic },
  { section: 'releases', label: 'Releases', href: links.releases },
  { section: 'reservations', label: 'Reservations', href: links.reservations },
  { section: 'audit', label: 'Audit', href: links.audit },
  { section: 'people', label: 'People', href: links.people },
];

export function AppShell(props: {
  session: Session;
  current: Section | undefined;
  /** Changes on every navigation: focus moves to the new page's heading. */
  routeKey: string;
  onSignOut: () => void;
  children: ReactNode;
}): ReactNode {
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // After the page's first paint, so its heading exists (or the loading line, then main).
    const timer = window.setTimeout(() => {
      const heading = mainRef.current?.querySelector<HTMLElement>('h1');
      (heading ?? mainRef.current)?.focus({ preventScroll: false });
    }, 0);
    return () => window.clearTimeout(timer);
  }, [props.routeKey]);

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <aside className="sidebar">
        <p className="brand">Understudy</p>
        <nav aria-label="Main">
          <ul>
            {sections.map((s) => (
              <li key={s.section}>
                <a href={s.href} aria-current={props.current === s.section ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <RunningJobs />
        <div className="sidebar-foot">
          <LiveIndicator />
          <p className="signed-in">
            Signed in as <strong>{props.session.name}</strong>
          </p>
          <button type="button" className="button button-small" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        {props.children}
      </main>
    </div>
  );
}

function LiveIndicator(): ReactNode {
  const connection = useConnection();
  const text =
    connection === 'open'
      ? 'Live updates on'
      : connection === 'connecting'
        ? 'Connecting…'
        : 'Live updates lost; retrying';
  return (
    <p className={`live live-${connection}`} role="status">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </p>
  );
}

function RunningJobs(): ReactNode {
  const running = useJobs().filter((j) => j.status === 'running');
  if (running.length === 0) return null;
  return (
    <div className="sidebar-jobs">
      <p className="small muted">Running now</p>
      <ul>
        {running.map((job) => (
          <li key={job.id} className="small">
            {job.title}
          </li>
        ))}
      </ul>
    </div>
  );
}
