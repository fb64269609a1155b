/**
 * How serious each kind of schema difference is: the documented table the schema probe applies,
 * exported so reporters and tests can show it. Keys are the subjects `diffSchemaModels` reports
 * (`column.type`, `index`, …); a rule gives the severity for each kind that subject can have.
 *
 * The principle (see `Severity` in drift.ts): `breaking` when tests on staging no longer predict
 * production — something production has that staging lacks, or a change in what values are
 * accepted, stored, generated, ordered or returned. `notice` for what is worth knowing but does
 * not change behaviour: anything staging has on top of production, comments, storage settings,
 * defaults (as the issue asks), planner hints.
 */
import type { DifferenceKind, Severity } from './drift.js';

/** The severities of one subject, per kind it can take, and why. */
export interface SeverityRule {
  readonly missing?: Severity;
  readonly extra?: Severity;
  readonly changed?: Severity;
  readonly why: string;
}

interface ObjectRule extends SeverityRule {
  readonly missing: Severity;
  readonly extra: Severity;
}
interface DefinedObjectRule extends ObjectRule {
  readonly changed: Severity;
}
interface AttributeRule extends SeverityRule {
  readonly changed: Severity;
}

// Objects: staging lacking one is breaking, staging having one more is a notice. Objects compared
// by definition can also be changed.
function object(why: string): ObjectRule;
function object(why: string, changed: Severity): DefinedObjectRule;
function object(why: string, changed?: Severity): ObjectRule {
  return {
    missing: 'breaking',
    extra: 'notice',
    ...(changed === undefined ? {} : { changed }),
    why,
  };
}
const breaking = (why: string): AttributeRule => ({ changed: 'breaking', why });
const notice = (why: string): AttributeRule => ({ changed: 'notice', why });

/** Severity of every schema difference, by subject. `missing`/`extra` are relative to staging. */
export const schemaSeverities = {
  extension: object('code using its types and functions fails where it is not installed'),
  'extension.version': notice('same extension, another release: usually compatible'),
  'extension.schema': notice('where it matters, column types and definitions show it too'),
  schema: object('everything in it is missing; reported once, for the schema'),
  comment: notice('documentation only'),

  enum: object('columns of the type cannot exist without it'),
  'enum.label': object('a value production accepts is rejected (an extra one: staging is laxer)'),
  'enum.labelOrder': breaking('comparisons and ORDER BY on the enum sort differently'),
  domain: object('columns of the type cannot exist without it'),
  'domain.baseType': breaking('a type change: values stored and accepted differ'),
  'domain.nullable': breaking('NULL is accepted in one environment only'),
  'domain.default': notice('defaults are a notice, as for columns'),
  'domain.collation': breaking('text compares and sorts differently'),
  'domain.check': object('values production rejects are accepted', 'breaking'),
  compositeType: object('columns and functions of the type cannot exist without it'),
  'compositeType.attribute': object('the type has another shape'),
  'compositeType.attribute.type': breaking('a type change'),
  'compositeType.attribute.collation': breaking('text compares and sorts differently'),
  'compositeType.attributeOrder': breaking('row constructors and casts map fields by position'),
  rangeType: object('columns of the type cannot exist without it'),
  'rangeType.subtype': breaking('a type change'),
  'rangeType.collation': breaking('bounds compare differently'),
  'rangeType.subtypeOpclass': breaking('bounds order differently'),
  'rangeType.canonical': breaking('values are normalised differently'),
  'rangeType.subtypeDiff': notice('only GiST index quality depends on it'),

  sequence: object('defaults that call nextval on it fail'),
  'sequence.dataType': breaking('the range of generated values differs'),
  'sequence.increment': breaking('generated values differ'),
  'sequence.min': breaking('the range of generated values differs'),
  'sequence.max': breaking('the range of generated values differs'),
  'sequence.cycle': breaking('what happens at the end of the range differs'),
  'sequence.start': notice('only matters when the sequence is created or restarted'),
  'sequence.cache': notice('performance only (and gaps after a restart)'),
  'sequence.ownedBy': notice('only decides what is dropped with a column'),

  table: object('queries on it fail; a missing partition rejects or misroutes its rows'),
  'table.kind': breaking('partitioned and plain tables accept different constraints and plans'),
  'table.unlogged': notice('durability after a crash, not behaviour'),
  'table.partitionKey': breaking('rows are routed to partitions differently'),
  'table.partitionOf': breaking('rows are routed differently, or the table stands alone'),
  'table.inherits': breaking('queries on the parent read other tables'),
  'table.options': notice('storage parameters: performance only'),
  'table.columnOrder': notice('only SELECT * and INSERT without a column list see it'),
  column: object('queries using it fail (an extra one: only code not yet in production uses it)'),
  'column.type': breaking('a type change: values stored and accepted differ'),
  'column.nullable': breaking('NULL is accepted in one environment only'),
  'column.default': notice('as the issue documents: inserts still work, values differ'),
  'column.identity': breaking('inserts with or without explicit values behave differently'),
  'column.generated': breaking('the stored value, and whether it can be written, differ'),
  'column.collation': breaking('text compares and sorts differently'),
  constraint: object('data production rejects is accepted (or a reference fails)', 'breaking'),
  index: object('query plans, and lock and sort behaviour, differ', 'breaking'),
  'index.valid': breaking('an invalid index exists but is not used'),

  view: object('queries on it fail', 'breaking'),
  'view.options': breaking('check options and security barriers change what it accepts'),
  routine: object('calls to it fail', 'breaking'),
  trigger: object('what happens on writes differs', 'breaking'),
  'trigger.enabled': breaking('the trigger fires in one environment only'),
} as const satisfies Readonly<Record<string, SeverityRule>>;

/** A subject of the severity table. */
export type SchemaSubject = keyof typeof schemaSeverities;

type RuleOf<K extends SchemaSubject> = (typeof schemaSeverities)[K];
/** Subjects that can be missing or extra (objects). */
export type ObjectSubject = {
  [K in SchemaSubject]: RuleOf<K> extends { readonly missing: Severity } ? K : never;
}[SchemaSubject];
/** Subjects that can be changed (attributes, and objects compared by definition). */
export type ChangeSubject = {
  [K in SchemaSubject]: RuleOf<K> extends { readonly changed: Severity } ? K : never;
}[SchemaSubject];

/** The severity the table gives a subject for a kind of difference. */
export function schemaSeverity(
  subject: SchemaSubject,
  kind: Exclude<DifferenceKind, 'shared'>,
): Severity {
  const rule: SeverityRule = schemaSeverities[subject];
  // Only reachable through a subject typed for another kind: fail closed.
  return rule[kind] ?? 'breaking';
}
