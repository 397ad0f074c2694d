/**
 * The engine's read of text files (typed-csv.ts) against the normalizer on every file of the
 * corpora in ../shared (hostile sales files and the third-party CSV suites, quoting oddities
 * among them): each file, loaded as sales with the mapping the app proposes, gives the same
 * report, `lines` and `customer_info`, or the same error, both ways.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import type { SqlQuery } from '../../src/lib/db/sql.ts';
import type { LoadOptions } from '../../src/lib/ingest/load.ts';
import { PassThroughDb } from '../lib/ingest/pass-through-db.ts';
import { loadOutcome, type LoadOutcome } from '../lib/ingest/table-dumps.ts';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url).pathname;
const SUITES = ['hostile-sales', 'csv-spectrum', 'papaparse', 'duckdb', 'pollock', 'csvlint', 'w3c-csvw'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : [p];
  });
}

/** Counts the loads whose raw table the engine read from the file itself. */
class CountingDb extends PassThroughDb {
  engineReads = 0;
  override exec(q: SqlQuery | string): Promise<void> {
    const text = typeof q === 'string' ? q : q.text;
    if (text.includes('row_number() OVER ()') && text.includes('read_csv(')) this.engineReads++;
    return this.db.exec(q);
  }
}

type Outcome = LoadOutcome;

const load = loadOutcome;

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('the engine read on the corpora', () => {
  it('loads every text file as the normalizer does', async () => {
    const files = SUITES.flatMap((s) => filesUnder(join(CORPUS, s)))
      .filter((p) => /\.(csv|tsv|txt)$/i.test(p) && statSync(p).size < 8 * 1024 * 1024)
      .sort();
    let engine = 0;
    let quoted = 0;
    const differing: string[] = [];
    // Each file with the mapping the app proposes, and with the first three columns taken as
    // customer, date and amount (most files of the suites are not sales files: this way their
    // cells still reach the rules).
    const variants: LoadOptions[] = [{}, { overrides: [{ mapping: { customer: 0, date: 1, amount: 2 } }] }];
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      for (const [v, options] of variants.entries()) {
        const reference = await load(db, bytes, { ...options, typedCsv: false });
        const counting = new CountingDb(db);
        const typed = await load(counting, bytes, options);
        if (JSON.stringify(typed) !== JSON.stringify(reference)) differing.push(`${path.slice(CORPUS.length)} (${v})`);
        if (counting.engineReads > 0) {
          engine++;
          if (bytes.includes(0x22)) quoted++;
        }
      }
    }
    console.log(`${files.length} files, ${engine} read by the engine, ${quoted} of them with a quote`);
    expect(differing).toEqual([]);
    // The comparison means something only if the engine read many of them, quoted ones too.
    expect(engine).toBeGreaterThan(files.length / 4);
    expect(quoted).toBeGreaterThan(files.length / 20);
  }, 600_000);
});
