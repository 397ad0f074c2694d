/**
 * `npm run analyze -- SALES_FILE… [--survey FILE] [--map field=column …] [--sheet NAME] [setting flags …]
 *  [--date-order dmy|mdy] [--json] [--customers FILE.csv]` (`--help` lists every flag)
 *
 * The page's ingest and analysis SQL on native DuckDB: for automation, for files too large
 * for a browser tab, and as the reference the browser tests compare against. When the
 * amounts name several currencies, one is analysed (METRICS.md §1 "Currency"): the one
 * with the most lines, or `--currency`; the output names it and lists every currency's totals.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { initSync } from 'parquet-wasm/esm';
import { NodeDb } from '../lib/db/duckdb-node.ts';
import { translate } from '../lib/i18n/index.ts';
import { inspectFile, loadDataset, type FileOverrides, type InputFile } from '../lib/ingest/load.ts';
import { MapArgError, parseMapArg } from '../lib/ingest/mapping.ts';
import { IngestError, type ColumnMapping, type LoadReport, type RejectReason } from '../lib/ingest/types.ts';
import { metricsOf, runDashboard, type DashboardResult } from '../lib/analyses/index.ts';
import { customerListFor } from '../lib/analyses/customer-list.ts';
import { PANEL_REGISTRY } from '../lib/analyses/registry.ts';
import { customerTable } from '../lib/analyses/customer-table.ts';
import { toCsv } from '../lib/export/csv.ts';
import type { ParseOptions } from '../lib/ingest/types.ts';
import { currencyTotalsQuery, currencyView, type CurrencyTotalRow, type CurrencyView } from '../lib/analyses/overview.ts';
import { mappedOf } from '../lib/model/mapped.ts';
import { METRIC_IDS, type Metrics } from '../lib/model/metrics.ts';
import { UNMARKED, displayCurrency, type CurrencyLabel, type Settings } from '../lib/model/settings.ts';
import { UsageError, settingOptions, settingsFromFlags, settingsHelp } from './settings-flags.ts';
import { readInput } from './input.ts';
import { MAPPING_FIELDS, type Dimension } from '../lib/model/schema.ts';

const USAGE = `usage: npm run analyze -- SALES_FILE [SALES_FILE…] [--survey FILE] [--map field=column …] [--sheet NAME]
       [setting flags …] [--date-order dmy|mdy] [--decimal .|,] [--dedupe] [--threads N]
       [--json] [--customers FILE.csv]   (--help lists every flag with its default)`;

const HELP = `${USAGE}

Input:
  --survey FILE           a satisfaction/NPS survey keyed by customer or order id
  --map FIELD=COLUMN      map a canonical field to a column label (or #N), repeatable;
                          fields: ${MAPPING_FIELDS.join(', ')}
                          (name, phone and contact are contact fields: --customers
                          writes each customer's latest non-empty value after the id)
  --sheet NAME            the sheet of an .xlsx sales file to read (default: the first with
                          customer, date and amount columns)
  --date-order dmy|mdy    how to read dates such as 03/04/2024 (default: decided from the
                          data; when every date reads both ways, day first, with a warning)
  --decimal .|,           decimal mark of amounts (default: decided from the data)
  --dedupe                remove exact duplicate rows before analysing

Settings and filters (the page's, same names as in share links):
${settingsHelp()}

Output:
  --json                  one JSON object: metrics, every panel's tables, the load report
  --customers FILE.csv    write the per-customer table (UTF-8 with BOM, formula-safe)
  --threads N             DuckDB threads (default 1)`;

function parquetInit(): void {
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
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

/** The currency money is written in: `--currency-label`, else the analysed group's named one. */
function shownOf(view: CurrencyView, label: CurrencyLabel): string | null {
  return displayCurrency(label, view.analysed === UNMARKED ? null : view.analysed);
}

function currencyLine(view: CurrencyView, label: CurrencyLabel): string {
  const shown = label === 'auto' ? '' : ` (amounts named ${label}, not converted)`;
  if (!view.mixed) return `currency ${view.analysed ?? '–'}${shown}`;
  const others = view.totals.filter((r) => !r.shown);
  return `currency ${view.analysed ?? '–'} only${shown}; not analysed: ${listCurrencies(others)}`;
}

function summary(report: LoadReport, metrics: Metrics, asOf: string | null, currency: CurrencyView, label: CurrencyLabel, linesAfterAsOf: number): string {
  const out: string[] = [];
  for (const f of report.files) {
    out.push(
      `${f.role} ${f.name}: ${f.format}${f.sheet === undefined ? '' : ` sheet ${f.sheet}`}, ${f.encoding}, read ${f.rows_read}, kept ${f.rows_kept}, rejected ${f.rows_rejected}, skipped ${f.rows_skipped}`,
    );
    for (const [reason, n] of Object.entries(f.rejectedByReason)) {
      const sums = (f.rejectedAmounts ?? []).filter((a) => a.reason === reason).map((a) => `${a.currency ? `${a.currency} ` : ''}${Number(a.amount).toFixed(2)}`);
      const unreadable = f.rejectedUnreadable?.[reason as RejectReason] ?? 0;
      const carry = [...(sums.length ? [`amount ${sums.join(' + ')}`] : []), ...(unreadable ? [`${unreadable} without a readable amount`] : [])];
      out.push(`  rejected ${reason}: ${n}${carry.length ? ` (${carry.join('; ')})` : ''}`);
    }
    for (const [reason, n] of Object.entries(f.skippedByReason)) out.push(`  skipped ${reason}: ${n}`);
    for (const w of f.warnings) out.push(`  warning ${w.code}: ${w.count}${w.detail ? ` (${w.detail})` : ''}`);
  }
  out.push(`as of ${asOf ?? '–'}`);
  if (linesAfterAsOf > 0) out.push(`  ${linesAfterAsOf} line${linesAfterAsOf === 1 ? '' : 's'} after the as-of date set aside`);
  out.push(currencyLine(currency, label));
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

function parseOptionsOf(values: { 'date-order'?: string; decimal?: string; dedupe?: boolean }): Partial<ParseOptions> {
  const out: { dayMonthOrder?: 'dmy' | 'mdy'; decimal?: '.' | ','; dedupe?: boolean } = {};
  const order = values['date-order'];
  if (order !== undefined) {
    if (order !== 'dmy' && order !== 'mdy') throw new UsageError(`--date-order takes dmy (day first) or mdy (month first), not "${order}"`);
    out.dayMonthOrder = order;
  }
  const decimal = values.decimal;
  if (decimal !== undefined) {
    if (decimal !== '.' && decimal !== ',') throw new UsageError(`--decimal takes . or , not "${decimal}"`);
    out.decimal = decimal;
  }
  if (values.dedupe) out.dedupe = true;
  return out;
}

/** Every panel's tables, keyed by panel id and table name (the page's aggregate tables). */
function panelTables(result: DashboardResult): Record<string, Record<string, readonly object[]>> {
  const out: Record<string, Record<string, readonly object[]>> = {};
  for (const panel of PANEL_REGISTRY) {
    out[panel.id] = Object.fromEntries(panel.tables(result[panel.id] as never).map((t) => [t.name, t.rows]));
  }
  return out;
}

async function writeCustomers(db: NodeDb, path: string, result: DashboardResult, settings: Settings): Promise<number> {
  const rows = await db.query(customerListFor(result, settings));
  // Panels with per-customer values (the lifetime-value predictions) add columns after the list's own.
  const table = customerTable(rows, result);
  const csv = toCsv(table.columns, table.rows);
  try {
    writeFileSync(path, csv);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return rows.length;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...settingOptions(),
      survey: { type: 'string' },
      map: { type: 'string', multiple: true },
      sheet: { type: 'string' },
      'date-order': { type: 'string' },
      decimal: { type: 'string' },
      dedupe: { type: 'boolean', default: false },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      customers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no sales file given');
  const settings = settingsFromFlags(values);
  const parse = parseOptionsOf(values);
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads takes a positive whole number`);

  const sales = await Promise.all(positionals.map((p) => readInput(p)));
  const survey = values.survey === undefined ? undefined : await readInput(values.survey);
  const overrides = (await overridesFor(sales, values.map ?? [], values.sheet)).map((o) => ({ ...o, parse }));

  const db = await NodeDb.open({ threads });
  try {
    const load = (o: readonly FileOverrides[]) => loadDataset(db, sales, { overrides: o, parquetInit, ...(survey ? { survey } : {}) });
    let report: LoadReport;
    try {
      report = await load(overrides);
    } catch (e) {
      // Every n/n/yyyy date reads both ways: the page asks; here, day first, with a warning and the way back.
      if (!(e instanceof IngestError && e.code === 'AMBIGUOUS_DATE_ORDER') || parse.dayMonthOrder !== undefined) throw e;
      report = await load(overrides.map((o) => ({ ...o, parse: { ...o.parse, dayMonthOrder: 'dmy' as const } })));
      process.stderr.write('analyze: dates such as 03/04/2024 read both ways; they were read day first (4 March). Pass --date-order mdy to read them month first.\n');
    }
    const mapped = mappedOf(report);
    for (const dim of Object.keys(settings.filters.dims) as Dimension[]) {
      if (!mapped[dim]) throw new UsageError(`--filter ${dim}=…: no ${dim} column is mapped in ${report.files.filter((f) => f.role === 'sales').map((f) => f.name).join(', ')}`);
    }
    const result = await runDashboard(db, settings, mapped);
    const currency = currencyView((await db.query(currencyTotalsQuery(mapped))) as unknown as CurrencyTotalRow[]);
    const requested = settings.filters.currency;
    if (requested && !honoured(requested, currency)) {
      const named = currency.totals.length === 0 ? 'no lines' : listCurrencies(currency.totals);
      const rule = currency.mixed ? '' : '; with fewer than two currencies named, every line is analysed';
      throw new UsageError(`--currency ${requested}: the amounts have ${named}${rule}`);
    }
    const metrics = metricsOf(result, report);
    const customersWritten = values.customers === undefined ? null : await writeCustomers(db, values.customers, result, settings);
    if (values.json) {
      const { rejected, skipped, ...totals } = report;
      const { filters, ...rest } = settings;
      const json = {
        asOf: result.asOf,
        linesAfterAsOf: result.linesAfterAsOf,
        settings: { ...rest, currency: requested ?? null, filters: { from: filters.from, to: filters.to, dims: filters.dims } },
        currency: {
          analysed: currency.analysed,
          shown: shownOf(currency, settings.currencyLabel),
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
        tables: panelTables(result),
        ...(customersWritten === null ? {} : { customers: { file: values.customers, rows: customersWritten } }),
        report: { ...totals, rejected: rejected.slice(0, 1000), rejectedListed: Math.min(1000, rejected.length), skipped: skipped.slice(0, 1000) },
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(`${summary(report, metrics, result.asOf, currency, settings.currencyLabel, result.linesAfterAsOf)}\n`);
      if (customersWritten !== null) process.stdout.write(`customers: ${customersWritten} rows written to ${values.customers}\n`);
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
