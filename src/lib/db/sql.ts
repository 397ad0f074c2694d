/**
 * The one place where SQL text meets values.
 *
 * `sql` is a tagged template: interpolated values become bound `?` parameters, nested
 * `SqlQuery` fragments are inlined with their own parameters, and `ident()` fragments
 * (quoted identifiers) are the only text that is ever spliced in. User file names,
 * column labels and cell values never reach SQL text.
 */

/** A value that can be bound to a `?` placeholder. Dates travel as ISO strings and are cast in SQL. */
export type SqlValue = string | number | boolean | null;

export interface SqlQuery {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

const FRAGMENT = Symbol('sql-fragment');

interface Fragment extends SqlQuery {
  readonly [FRAGMENT]: true;
}

function fragment(text: string, params: readonly SqlValue[]): Fragment {
  return { text, params, [FRAGMENT]: true };
}

function isFragment(v: unknown): v is Fragment {
  return typeof v === 'object' && v !== null && (v as Partial<Fragment>)[FRAGMENT] === true;
}

export type SqlPart = SqlValue | Fragment;

export function sql(strings: TemplateStringsArray, ...values: readonly SqlPart[]): Fragment {
  let text = strings[0] ?? '';
  const params: SqlValue[] = [];
  values.forEach((v, i) => {
    if (isFragment(v)) {
      text += v.text;
      params.push(...v.params);
    } else {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new RangeError(`sql: cannot bind non-finite number ${String(v)}`);
      }
      text += '?';
      params.push(v);
    }
    text += strings[i + 1] ?? '';
  });
  return fragment(text, params);
}

/**
 * Quote an identifier. Only for names the program generates or the canonical schema owns;
 * it still doubles quotes so that no input can break out.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new RangeError('quoteIdentifier: empty identifier');
  if (name.includes('\u0000')) throw new RangeError('quoteIdentifier: NUL in identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/** An identifier as a fragment for `sql`. */
export function ident(name: string): Fragment {
  return fragment(quoteIdentifier(name), []);
}

/**
 * A generated table name, bare (`raw__0`) or in a generated database (`load_work.raw__0`):
 * each part quoted. Only for names this code base makes, never for text from a file.
 */
export function tableIdent(name: string): Fragment {
  return fragment(name.split('.').map(quoteIdentifier).join('.'), []);
}

/** `CREATE OR REPLACE TEMP TABLE name` for a bare name, `CREATE OR REPLACE TABLE db.name` for one in a database. */
export function createWorkTable(name: string): Fragment {
  return name.includes('.') ? sql`CREATE OR REPLACE TABLE ${tableIdent(name)}` : sql`CREATE OR REPLACE TEMP TABLE ${tableIdent(name)}`;
}

/**
 * Trusted SQL text written in this code base (a keyword, an operator, a generated
 * expression). Never pass anything derived from a file to it.
 */
export function raw(text: string): Fragment {
  return fragment(text, []);
}

/** Join fragments with a separator (itself trusted text). */
export function join(parts: readonly SqlPart[], separator = ', '): Fragment {
  let text = '';
  const params: SqlValue[] = [];
  parts.forEach((p, i) => {
    if (i > 0) text += separator;
    if (isFragment(p)) {
      text += p.text;
      params.push(...p.params);
    } else {
      text += '?';
      params.push(p);
    }
  });
  return fragment(text, params);
}

/**
 * A SQL string literal, for the rare places where the engine refuses a parameter
 * (e.g. a format list inside a macro body). Escapes by doubling quotes.
 */
export function literal(value: string): Fragment {
  if (value.includes('\u0000')) throw new RangeError('literal: NUL in string');
  return fragment(`'${value.replaceAll("'", "''")}'`, []);
}
