/**
 * Sign in with name and password: the server sets the session cookie and answers the Session,
 * whose CSRF token the client keeps in memory. A refusal shows the server's own message.
 */
import { useEffect, useId, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, apiRequest } from '../api/api-client.js';
import type { Session } from '../api/api-types.js';

export function LoginPage(props: {
  onSignedIn: (session: Session) => void;
  notice?: string;
}): ReactNode {
  const id = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  useEffect(() => {
    document.title = 'Sign in — Understudy';
  }, []);

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const session = await apiRequest<Session>('POST', '/session', { name, password });
      props.onSignedIn(session);
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) }),
      );
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form
        className="login-card"
        aria-labelledby={`${id}-title`}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="brand brand-large" aria-hidden="true">
          Understudy
        </p>
        <h1 id={`${id}-title`}>Sign in</h1>
        {props.notice === undefined || error !== undefined ? null : (
          <p className="notice notice-info" role="status">
            {props.notice}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            name="username"
            autoComplete="username"
            required
            autoFocus
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error === undefined ? null : (
          <p className="notice notice-bad" role="alert">
            {error.message}
            {error.hint === undefined ? null : <span className="hint"> — {error.hint}</span>}
          </p>
        )}
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
