/**
 * People and CI tokens: who may do what where (GET /people), adding a person (POST /people) with
 * their token and TOTP enrolment shown once — the QR code to scan with an authenticator app —
 * and creating a scoped CI token (POST /tokens). Both are an admin's, with a current code.
 */
import QRCode from 'qrcode';
import { useEffect, useId, useState } from 'react';
import type { ReactNode } from 'react';
import type { Enrolment, PersonSummary } from '../../../src/access/people.js';
import type { RoleMap } from '../../../src/access/roles.js';
import { ApiError, apiRequest } from '../api/api-client.js';
import { useResource } from '../api/use-resource.js';
import { ErrorNotice, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { useStepUp } from '../components/totp-dialog.js';

const toError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) });

/** `production:approver, *:viewer` */
function rolesText(roles: RoleMap): string {
  const parts = Object.entries(roles).flatMap(([env, list]) => list.map((r) => `${env}:${r}`));
  return parts.length === 0 ? 'no roles' : parts.join(', ');
}

/** `production:approver, *:viewer` → the grants the API takes. */
const grantsOf = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter((g) => g !== '');

interface Shown {
  readonly kind: 'person' | 'token';
  readonly name: string;
  readonly token: string;
  readonly otpauthUri?: string;
  readonly totpSecret?: string;
}

export function PeoplePage(): ReactNode {
  const people = useResource<{ people: PersonSummary[] }>('/people');
  const stepUp = useStepUp();
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [shown, setShown] = useState<Shown | undefined>(undefined);

  const run = async (request: Parameters<typeof stepUp.run>[0]): Promise<boolean> => {
    setError(undefined);
    setShown(undefined);
    try {
      return await stepUp.run(request);
    } catch (e) {
      setError(toError(e));
      return false;
    }
  };

  const addPerson = (name: string, roles: string, password: string): Promise<boolean> =>
    run({
      title: `Add ${name}`,
      confirmLabel: 'Add person',
      description: 'Adding people is an admin’s, with a current code.',
      askFirst: true,
      send: async (totp) => {
        const { enrolment } = await apiRequest<{ enrolment: Enrolment }>('POST', '/people', {
          name,
          roles: grantsOf(roles),
          ...(password === '' ? {} : { password }),
          ...(totp === undefined ? {} : { totp }),
        });
        setShown({
          kind: 'person',
          name,
          token: enrolment.token,
          otpauthUri: enrolment.otpauthUri,
          totpSecret: enrolment.totpSecret,
        });
        people.reload();
      },
    });

  const createToken = (name: string, roles: string): Promise<boolean> =>
    run({
      title: `Create the CI token ${name}`,
      confirmLabel: 'Create token',
      description: 'Creating tokens is an admin’s, with a current code.',
      askFirst: true,
      send: async (totp) => {
        const created = await apiRequest<{ name: string; token: string }>('POST', '/tokens', {
          name,
          roles: grantsOf(roles),
          ...(totp === undefined ? {} : { totp }),
        });
        setShown({ kind: 'token', name: created.name, token: created.token });
      },
    });

  return (
    <>
      <PageHeader title="People" subtitle="Who may do what, where; and the tokens CI acts with" />
      {stepUp.dialog}
      <Loaded resource={people} what="people">
        {(data) => (
          <section className="section" aria-labelledby="people-title">
            <h2 id="people-title">People</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Added</th>
                </tr>
              </thead>
              <tbody>
                {data.people.map((p) => (
                  <tr key={p.name}>
                    <td>
                      <strong>{p.name}</strong>
                    </td>
                    <td>{rolesText(p.roles)}</td>
                    <td>
                      by {p.createdBy}, <TimeAgo at={p.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </Loaded>
      <div aria-live="polite">{shown === undefined ? null : <ShownOnce shown={shown} />}</div>
      <ErrorNotice error={error} />
      <div className="reservations-layout">
        <GrantForm
          title="Add a person"
          nameLabel="Name"
          rolesHint="e.g. production:approver, *:viewer"
          submit="Add person"
          withPassword
          onSubmit={addPerson}
        />
        <GrantForm
          title="Create a CI token"
          nameLabel="Token name"
          rolesHint="e.g. staging:deployer, production:deployer"
          submit="Create token"
          onSubmit={(name, roles) => createToken(name, roles)}
        />
      </div>
    </>
  );
}

/** A new person's token and QR enrolment, or a new CI token: shown once, never again. */
function ShownOnce(props: { shown: Shown }): ReactNode {
  const { shown } = props;
  const [qr, setQr] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (shown.otpauthUri === undefined) return;
    let live = true;
    void QRCode.toDataURL(shown.otpauthUri, { margin: 1, width: 180 }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [shown.otpauthUri]);
  return (
    <section className="card notice notice-good" aria-labelledby="shown-title">
      <h2 id="shown-title">
        {shown.kind === 'person' ? `${shown.name} is added` : `The CI token ${shown.name}`}
      </h2>
      <p>
        Shown once:{' '}
        {shown.kind === 'person'
          ? `give it to ${shown.name} privately`
          : 'store it as a CI secret named UNDERSTUDY_TOKEN'}
        .
      </p>
      <p>
        <code className="secret">{shown.token}</code>
      </p>
      {shown.totpSecret === undefined ? null : (
        <>
          <p>Scan with an authenticator app for the second factor, or enter the key by hand:</p>
          {qr === undefined ? null : (
            <img
              src={qr}
              width={180}
              height={180}
              alt={`TOTP enrolment QR code for ${shown.name}`}
            />
          )}
          <p>
            <code className="secret">{shown.totpSecret}</code>
          </p>
        </>
      )}
    </section>
  );
}

function GrantForm(props: {
  title: string;
  nameLabel: string;
  rolesHint: string;
  submit: string;
  withPassword?: boolean;
  onSubmit: (name: string, roles: string, password: string) => Promise<boolean>;
}): ReactNode {
  const id = useId();
  const [name, setName] = useState('');
  const [roles, setRoles] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <section className="section card reserve-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void props.onSubmit(name.trim(), roles, password).then((done) => {
            setBusy(false);
            if (done) {
              setName('');
              setRoles('');
              setPassword('');
            }
          });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-name`}>{props.nameLabel}</label>
          <input
            id={`${id}-name`}
            required
            pattern="[a-z][a-z0-9._\-]{0,63}"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-roles`}>Roles</label>
          <input
            id={`${id}-roles`}
            aria-describedby={`${id}-roles-hint`}
            value={roles}
            onChange={(event) => setRoles(event.target.value)}
          />
          <p id={`${id}-roles-hint`} className="small muted">
            ENV:ROLE, comma-separated; ROLE is viewer, deployer, approver or admin —{' '}
            {props.rolesHint}
          </p>
        </div>
        {props.withPassword === true ? (
          <div className="field">
            <label htmlFor={`${id}-password`}>Dashboard password (optional)</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              minLength={12}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy}>
          {props.submit}
        </button>
      </form>
    </section>
  );
}
