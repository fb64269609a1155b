/**
 * `data scan --write`: adds a suggested masker for every flagged column that has no rule yet to
 * understudy.yaml, editing the YAML document in place so the file's comments, order and layout
 * stay as the user wrote them. Pure: text in, text out.
 */
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { UnderstudyError } from '../shared/errors.js';
import type { Finding } from './plan-sync.js';

export interface SuggestResult {
  readonly text: string;
  /** `schema.table.column: masker` for every rule added. */
  readonly added: readonly string[];
}

/** Returns the config text with a rule added for each finding the file does not cover yet. */
export function addSuggestedRules(text: string, findings: readonly Finding[]): SuggestResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new UnderstudyError(
      'E_CONFIG',
      `cannot edit the config: ${doc.errors[0]?.message ?? 'invalid YAML'}`,
    );
  if (!isMap(doc.contents))
    throw new UnderstudyError('E_CONFIG', 'cannot edit the config: it is not a mapping');
  const added: string[] = [];
  for (const finding of [...findings].sort((a, b) =>
    `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`),
  )) {
    const path = ['data', 'tables', finding.table, 'columns', finding.column];
    if (doc.hasIn(path)) continue;
    const rows = doc.getIn(['data', 'tables', finding.table, 'rows']);
    if (rows === 'none') continue;
    if (!doc.hasIn(['data', 'tables', finding.table, 'columns'])) {
      doc.setIn(['data', 'tables', finding.table, 'columns'], doc.createNode({}));
    }
    doc.setIn(path, finding.suggested);
    const columns = doc.getIn(['data', 'tables', finding.table, 'columns'], true) as
      YAMLMap | undefined;
    // New column maps are written in block style, one rule a line, like the rest of a hand-written file.
    if (columns !== undefined && columns.items.length === 1) columns.flow = false;
    added.push(`${finding.table}.${finding.column}: ${finding.suggested}`);
  }
  return { text: added.length === 0 ? text : doc.toString({ lineWidth: 0 }), added };
}
