/**
 * Releases, newest first, with where each runs now (from the overview's deployed versions).
 */
import type { ReactNode } from 'react';
import type { Overview, Release } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Badge, Command, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { links } from '../router.js';

export function ReleasesPage(): ReactNode {
  const releases = useResource<{ releases: Release[] }>('/releases?limit=100');
  const overview = useResource<Overview>('/overview');
  const runningIn = new Map<string, string[]>();
  for (const env of overview.data?.environments ?? [])
    if (env.deployed !== null && env.deployed.status === 'succeeded')
      runningIn.set(env.deployed.version, [
        ...(runningIn.get(env.deployed.version) ?? []),
        env.name,
      ]);

  return (
    <>
      <PageHeader title="Releases" subtitle="Immutable releases and where they run" />
      <Loaded resource={releases} what="releases">
        {(data) =>
          data.releases.length === 0 ? (
            <EmptyState>
              No release yet — create one with{' '}
              <Command>understudy release create VERSION --commit SHA</Command>.
            </EmptyState>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Releases, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Running in</th>
                  <th scope="col">Commit</th>
                  <th scope="col">Notes</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {data.releases.map((r) => (
                  <tr key={r.version}>
                    <td>
                      <a href={links.release(r.version)}>{r.version}</a>
                    </td>
                    <td>
                      {(runningIn.get(r.version) ?? []).map((env) => (
                        <Badge key={env} tone="good">
                          {env}
                        </Badge>
                      ))}
                    </td>
                    <td>
                      {r.commit === undefined ? (
                        <span className="muted">—</span>
                      ) : (
                        <code>{r.commit.slice(0, 10)}</code>
                      )}
                    </td>
                    <td className="small notes-cell">{r.notes ?? ''}</td>
                    <td className="small">
                      {r.createdBy}, <TimeAgo at={r.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}
