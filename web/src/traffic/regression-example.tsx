/**
 * One regression example: the request, the differing place with both values, and — when the
 * report kept the bodies — production's and staging's answers side by side.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { RegressionExample } from '../api/api-types.js';
import { DiffViewer } from './diff-viewer.js';

export function RegressionExampleView(props: { example: RegressionExample }): ReactNode {
  const e = props.example;
  const [open, setOpen] = useState(e.bodies !== undefined);
  return (
    <div className="example">
      <p className="example-request">
        <span className="method">{e.method}</span> <code>{e.url}</code>
      </p>
      <table className="table compact value-compare">
        <caption className="visually-hidden">Values at {e.path}</caption>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Production (recorded)</th>
            <th scope="col">Staging (replayed)</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code className="path">{e.path}</code>
            </td>
            <td>
              <code className="value value-old">{e.recorded}</code>
            </td>
            <td>
              <code className="value value-new">{e.actual}</code>
            </td>
          </tr>
        </tbody>
      </table>
      {e.bodies === undefined ? null : (
        <>
          <button
            type="button"
            className="button button-small button-quiet"
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide answers' : 'Show answers side by side'}
          </button>
          {open ? (
            <DiffViewer recorded={e.bodies.recorded} actual={e.bodies.actual} focusPath={e.path} />
          ) : null}
        </>
      )}
    </div>
  );
}
