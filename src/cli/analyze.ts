/**
 * `npm run analyze -- SALES_FILE… [--survey FILE] [--map field=column …] [--sheet NAME] [--as-of YYYY-MM-DD]
 *  [--churn-window DAYS] [--currency CODE|none] [--threads N] [--json]`
 *
 * The page's ingest and analysis SQL on native DuckDB: for automation, for files too large
 * for a browser tab, and as the reference the browser tests compare against. When the
 * amounts name several currencies, one is analysed (METRICS.md §1 "Currency"): the one
 * with the most lines, or `--currency`; the output names it and lists every currency's totals.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { initSync } from 'parquet-wasm/esm';
import { NodeDb } from '../lib/db/duckdb-node.ts';
import { translate } from '../lib/i18n/index.ts';
import { inspectFile, loadDataset, type FileOverrides, type InputFile } from '../lib/ingest/load.ts';
import { MapArgError, parseMapArg } from '../lib/ingest/mapping.ts';
import { IngestError, type ColumnMapping, type LoadReport } from '../lib/ingest/types.ts';
import { metricsOf, runDashboard } from '../lib/analyses/index.ts';
import { currencyTotalsQuery, currencyView, type CurrencyTotalRow, type CurrencyView } from '../lib/analyses/overview.ts';
import { mappedOf } from '../lib/model/mapped.ts';
import { METRIC_IDS, type Metrics } from '../lib/model/metrics.ts';
import { DEFAULT_SETTINGS, UNMARKED, isCurrencyChoice, type Settings } from '../lib/model/settings.ts';
import { MAPPING_FIELDS } from '../lib/model/schema.ts';

class UsageError extends Error {}

const USAGE = `usage: npm run analyze -- SALES_FILE [SALES_FILE…] [--survey FILE] [--map field=column …] [--sheet NAME]
       [--as-of YYYY-MM-DD] [--churn-window DAYS] [--currency CODE|none] [--threads N] [--json]`;

function parquetInit(): void {
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
}

function readInput(path: string): InputFile {
  try {
    return { name: basename(path), bytes: new Uint8Array(readFileSync(path)) };
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseSettings(asOf: string | undefined, churn: string | undefined, currencyArg: string | undefined): Settings {
  let settings: Settings = DEFAULT_SETTINGS;
  if (currencyArg !== undefined) {
    const currency = currencyArg.toLowerCase() === UNMARKED ? UNMARKED : currencyArg.toUpperCase();
    if (!isCurrencyChoice(currency)) {
      throw new UsageError(`--currency takes a three-letter code such as CNY, or "${UNMARKED}" for amounts without one, not "${currencyArg}"`);
    }
    settings = { ...settings, filters: { ...settings.filters, currency } };
  }
  if (asOf !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || new Date(`${asOf}T00:00:00Z`).toJSON() !== `${asOf}T00:00:00.000Z`) {
      throw new UsageError(`--as-of takes a date YYYY-MM-DD, not "${asOf}"`);
    }
    settings = { ...settings, asOf };
  }
  if (churn !== undefined) {
    const days = Number(churn);
    if (!Number.isInteger(days) || days < 1) throw new UsageError(`--churn-window takes a whole number of days, not "${churn}"`);
    settings = { ...settings, churnWindowDays: days };
  }
  return settings;
}

function mapArgMessage(e: MapArgError, arg: string, file: string, labels: readonly string[]): string {
  const columns = labels.map((l, i) => `#${i + 1} ${JSON.stringify(l)}`).join(', ');
  switch (e.code) {
    case 'BAD_SYNTAX':
      return `--map takes field=column, not "${arg}"`;
    case 'UNKNOWN_FIELD':
      return `--map ${arg}: unknown field "${e.value}"; fields are ${MAPPING_FIELDS.join(', ')}`;
    case 'UNKNOWN_COLUMN':
      return `--map ${arg}: ${file} has no column "${e.value}"; its columns are ${columns}`;
    case 'AMBIGUOUS_COLUMN':
      return `--map ${arg}: several columns of ${file} are called "${e.value}"; name one by position (#N): ${columns}`;
  }
}

/** `--map` arguments resolved against each sales file's own header (of sheet `sheet` in a workbook). */
async function overridesFor(files: readonly InputFile[], maps: readonly string[], sheet: string | undefined): Promise<FileOverrides[]> {
  const base: FileOverrides = sheet === undefined ? {} : { sheet };
  if (maps.length === 0) return files.map(() => base);
  return Promise.all(
    files.map(async (file) => {
      const insp = await inspectFile(file, base, { parquetInit });
      const mapping: ColumnMapping = { ...insp.auto.mapping };
      for (const arg of maps) {
        try {
          const { field, column } = parseMapArg(arg, insp.labels);
          mapping[field] = column;
        } catch (e) {
          if (e instanceof MapArgError) throw new UsageError(mapArgMessage(e, arg, file.name, insp.labels));
          throw e;
        }
      }
      return { ...base, mapping };
    }),
  );
}

const groupName = (c: string | null): string => c ?? UNMARKED;

/** The requested currency is the one analysed (in a file naming none, `none` is every line). */
function honoured(requested: string, view: CurrencyView): boolean {
  return view.analysed === requested || (requested === UNMARKED && view.analysed === null);
}

function listCurrencies(totals: readonly CurrencyTotalRow[]): string {
  return totals.map((r) => `${groupName(r.currency)} (${r.lines} line${r.lines === 1 ? '' : 's'})`).join(', ');
}

function currencyLine(view: CurrencyView): string {
  if (!view.mixed) return `currency ${view.analysed ?? '–'}`;
  const others = view.totals.filter((r) => !r.shown);
  return `currency ${view.analysed ?? '–'} only; not analysed: ${listCurrencies(others)}`;
}

function summary(report: LoadReport, metrics: Metrics, asOf: string | null, currency: CurrencyView): string {
  const out: string[] = [];
  for (const f of report.files) {
    out.push(
      `${f.role} ${f.name}: ${f.format}${f.sheet === undefined ? '' : ` sheet ${f.sheet}`}, ${f.encoding}, read ${f.rows_read}, kept ${f.rows_kept}, rejected ${f.rows_rejected}, skipped ${f.rows_skipped}`,
    );
    for (const [reason, n] of Object.entries(f.rejectedByReason)) out.push(`  rejected ${reason}: ${n}`);
    for (const [reason, n] of Object.entries(f.skippedByReason)) out.push(`  skipped ${reason}: ${n}`);
    for (const w of f.warnings) out.push(`  warning ${w.code}: ${w.count}${w.detail ? ` (${w.detail})` : ''}`);
  }
  out.push(`as of ${asOf ?? '–'}`);
  out.push(currencyLine(currency));
  if (currency.mixed) {
    for (const r of currency.totals) {
      out.push(`  ${groupName(r.currency).padEnd(4)} lines ${r.lines}, customers ${r.customers}, revenue ${r.revenue.toFixed(2)}${r.shown ? '  (analysed)' : ''}`);
    }
  }
  const width = Math.max(...METRIC_IDS.map((id) => id.length));
  for (const id of METRIC_IDS) {
    const v = metrics[id];
    out.push(`${id.padEnd(width)}  ${v === null ? 'null' : Number.isInteger(v) ? String(v) : v.toFixed(6)}`);
  }
  return out.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      survey: { type: 'string' },
      map: { type: 'string', multiple: true },
      sheet: { type: 'string' },
      'as-of': { type: 'string' },
      'churn-window': { type: 'string' },
      currency: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no sales file given');
  const settings = parseSettings(values['as-of'], values['churn-window'], values.currency);
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads takes a positive whole number`);

  const sales = positionals.map(readInput);
  const survey = values.survey === undefined ? undefined : readInput(values.survey);
  const overrides = await overridesFor(sales, values.map ?? [], values.sheet);

  const db = await NodeDb.open({ threads });
  try {
    const report = await loadDataset(db, sales, { overrides, parquetInit, ...(survey ? { survey } : {}) });
    const mapped = mappedOf(report);
    const result = await runDashboard(db, settings, mapped);
    const currency = currencyView((await db.query(currencyTotalsQuery(mapped))) as unknown as CurrencyTotalRow[]);
    const requested = settings.filters.currency;
    if (requested && !honoured(requested, currency)) {
      const named = currency.totals.length === 0 ? 'no lines' : listCurrencies(currency.totals);
      const rule = currency.mixed ? '' : '; with fewer than two currencies named, every line is analysed';
      throw new UsageError(`--currency ${requested}: the amounts have ${named}${rule}`);
    }
    const metrics = metricsOf(result, report);
    if (values.json) {
      const { rejected, skipped, ...totals } = report;
      const json = {
        asOf: result.asOf,
        settings: { asOf: settings.asOf, churnWindowDays: settings.churnWindowDays, currency: requested ?? null },
        currency: {
          analysed: currency.analysed,
          mixed: currency.mixed,
          totals: currency.totals.map((r) => ({
            currency: r.currency,
            lines: r.lines,
            customers: r.customers,
            revenue: r.revenue,
            analysed: currency.mixed ? r.shown : true,
          })),
        },
        metrics,
        report: { ...totals, rejected: rejected.slice(0, 1000), rejectedListed: Math.min(1000, rejected.length), skipped: skipped.slice(0, 1000) },
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(`${summary(report, metrics, result.asOf, currency)}\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

function describe(e: unknown): string {
  if (e instanceof IngestError) {
    const detail = Object.fromEntries(Object.entries(e.detail).map(([k, v]) => [k, String(v)]));
    const message = translate('en', `error.${e.code}`, detail);
    const next = translate('en', `error.${e.code}.next`, detail);
    const file = e.detail.file === undefined ? '' : `${String(e.detail.file)}: `;
    return `${file}${message} ${next} [${e.code}]`;
  }
  if (e instanceof UsageError || e instanceof MapArgError) return `${e.message}\n${USAGE}`;
  return e instanceof Error ? e.message : String(e);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`analyze: ${describe(e)}\n`);
    process.exitCode = e instanceof UsageError || e instanceof MapArgError ? 2 : 1;
  },
);
