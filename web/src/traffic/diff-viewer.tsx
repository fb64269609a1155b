/**
 * Production's answer beside staging's for one regression example, differing lines highlighted
 * on both sides; the line at the example's path is outlined and scrolled into view.
 */
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { jsonDiffLines, parseJsonBody, textDiffLines, type DiffLine } from './diff-lines.js';

function linesOf(
  recorded: string,
  actual: string,
): { left: DiffLine[]; right: DiffLine[]; json: boolean } {
  const a = parseJsonBody(recorded);
  const b = parseJsonBody(actual);
  if (a !== undefined && b !== undefined)
    return {
      left: jsonDiffLines(a.value, b.value),
      right: jsonDiffLines(b.value, a.value),
      json: true,
    };
  return {
    left: textDiffLines(recorded, actual),
    right: textDiffLines(actual, recorded),
    json: false,
  };
}

function Side(props: {
  title: string;
  lines: readonly DiffLine[];
  focusPath: string | undefined;
}): ReactNode {
  const ref = useRef<HTMLPreElement>(null);
  const changed = props.lines.filter((l) => l.changed).length;
  useEffect(() => {
    const pre = ref.current;
    const focus =
      pre?.querySelector<HTMLElement>('.diff-focus') ?? pre?.querySelector<HTMLElement>('mark');
    if (pre !== null && pre !== undefined && focus !== null && focus !== undefined)
      pre.scrollTop = Math.max(0, focus.offsetTop - pre.offsetTop - 48);
  }, [props.lines, props.focusPath]);
  return (
    <div className="diff-side">
      <h4 className="diff-title">
        {props.title}{' '}
        <span className="muted small">
          ({changed} differing line{changed === 1 ? '' : 's'})
        </span>
      </h4>
      <pre ref={ref} className="diff-body" tabIndex={0} aria-label={props.title}>
        {props.lines.map((line, i) => {
          const focus =
            props.focusPath !== undefined && line.path === props.focusPath && line.changed;
          const className = `diff-line${focus ? ' diff-focus' : ''}`;
          const text = `${'  '.repeat(line.depth)}${line.text}\n`;
          return line.changed ? (
            <mark key={i} className={`${className} diff-changed`}>
              {text}
            </mark>
          ) : (
            <span key={i} className={className}>
              {text}
            </span>
          );
        })}
      </pre>
    </div>
  );
}

export function DiffViewer(props: {
  recorded: string;
  actual: string;
  focusPath?: string;
}): ReactNode {
  const { left, right } = linesOf(props.recorded, props.actual);
  return (
    <div className="diff-viewer">
      <Side title="Production (recorded)" lines={left} focusPath={props.focusPath} />
      <Side title="Staging (replayed)" lines={right} focusPath={props.focusPath} />
    </div>
  );
}
