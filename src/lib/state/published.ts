/**
 * A dashboard published next to the page (`npm run publish`): `./data/manifest.json`
 * relative to the page. Parquet mode ships the canonical tables, which the page loads into
 * its own engine; aggregates mode ships only the dashboard's result, with nothing at the
 * level of a customer.
 */
import { getContext, setContext } from 'svelte';
import type { DashboardResult } from '../analyses/index.ts';
import type { DbClient } from '../db/client.ts';
import { ident, sql } from '../db/sql.ts';
import type { LoadReport } from '../ingest/types.ts';
import { CUSTOMER_INFO_DDL, LINES_DDL, SURVEY_DDL } from '../model/schema.ts';
import { DEFAULT_SETTINGS, type Settings } from '../model/settings.ts';
import type { LabelMapping } from './url.ts';

export const MANIFEST_VERSION = 1;
export const MANIFEST_PATH = './data/manifest.json';

export type PublishedMode = 'parquet' | 'aggregates';

export interface PublishedManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly mode: PublishedMode;
  /** ISO date-time of publication. */
  readonly published: string;
  /** The load report without its per-line lists (counts by reason stay). */
  readonly report: LoadReport;
  readonly mapping: LabelMapping;
  readonly settings: Settings;
  /** Parquet mode: file names under data/. */
  readonly tables?: { readonly lines: string; readonly survey: string | null };
  /** Aggregates mode: the dashboard for `settings`. */
  readonly result?: DashboardResult;
}

/** A load report without the per-line lists (they carry line numbers and raw values). */
export function publicReport(report: LoadReport): LoadReport {
  return { ...report, rejected: [], skipped: [] };
}

/** At most this many points of the Lorenz curve leave the machine (one per customer otherwise). */
export const LORENZ_POINTS = 101;

/** Keep the first and last point and those closest to each 1 % step of customers. */
export function thinCurve<T extends { readonly customer_share: number }>(curve: readonly T[], points = LORENZ_POINTS): T[] {
  if (curve.length <= points) return [...curve];
  const out: T[] = [];
  let next = 0;
  for (const p of curve) {
    if (p.customer_share >= next / (points - 1) - 1e-12) {
      out.push(p);
      while (next / (points - 1) <= p.customer_share + 1e-12) next++;
    }
  }
  const last = curve[curve.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

/**
 * The result as published in aggregates mode: no row per customer (the warning lists' first
 * pages, the key-customer scatter and the lifetime-value top customers name customers, so
 * they are left out; the totals stay).
 */
export function aggregatesOnly(r: DashboardResult): DashboardResult {
  return {
    ...r,
    mapped: { ...r.mapped, contacts: [], unused: [] },
    pareto: { ...r.pareto, curve: thinCurve(r.pareto.curve) },
    warnings: { ...r.warnings, churn: { total: r.warnings.churn.total, rows: [] }, pace: { total: r.warnings.pace.total, rows: [] } },
    key_customers: { ...r.key_customers, points: [] },
    clv: { ...r.clv, top: [], perCustomer: null },
  };
}

const ROWS_MISSING = Symbol('published rows missing');

/**
 * Called by the published page in aggregates mode, during its initialisation: the panels
 * below it then say where something needs the customer-level rows.
 */
export function markRowsMissing(): void {
  setContext(ROWS_MISSING, true);
}

/** True inside an aggregates-only published page (call during component initialisation). */
export function rowsMissing(): boolean {
  return getContext<boolean | undefined>(ROWS_MISSING) === true;
}

function isManifest(v: unknown): v is PublishedManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<PublishedManifest>;
  if (m.version !== MANIFEST_VERSION || typeof m.report !== 'object' || m.report === null) return false;
  if (m.mode === 'parquet') return typeof m.tables?.lines === 'string';
  if (m.mode === 'aggregates') return typeof m.result === 'object' && m.result !== null;
  return false;
}

/**
 * The manifest next to the page, or null in normal mode (404, or a server that answers
 * unknown paths with the page itself).
 */
export async function readManifest(fetchFn: typeof fetch = fetch, url = MANIFEST_PATH): Promise<PublishedManifest | null> {
  try {
    const res = await fetchFn(url, { cache: 'no-cache' });
    if (!res.ok) return null;
    const parsed: unknown = JSON.parse(await res.text());
    if (!isManifest(parsed)) return null;
    return { ...parsed, settings: { ...DEFAULT_SETTINGS, ...parsed.settings } };
  } catch {
    return null;
  }
}

/** Arrow IPC of a table into the canonical table `target` (types cast to the schema). */
export async function insertCanonical(db: DbClient, target: 'lines' | 'survey', ipc: Uint8Array): Promise<void> {
  const stage = `${target}__published`;
  await db.exec(sql`DROP TABLE IF EXISTS ${ident(stage)}`);
  await db.insertArrowIPC(stage, ipc);
  await db.exec(target === 'lines' ? LINES_DDL : SURVEY_DDL);
  await db.exec(sql`INSERT INTO ${ident(target)} BY NAME SELECT * FROM ${ident(stage)}`);
  await db.exec(sql`DROP TABLE ${ident(stage)}`);
}

/**
 * Parquet mode: fetch the tables next to the manifest and load them. `toIpc` turns Parquet
 * bytes into an Arrow IPC stream (parquet-wasm, initialised by the caller).
 */
export async function loadPublishedTables(
  db: DbClient,
  manifest: PublishedManifest,
  toIpc: (parquet: Uint8Array) => Promise<Uint8Array>,
  fetchFn: typeof fetch = fetch,
  base = './data/',
): Promise<void> {
  const tables = manifest.tables;
  if (!tables) throw new Error('published: no tables in the manifest');
  const get = async (name: string) => {
    const res = await fetchFn(base + name);
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  await insertCanonical(db, 'lines', await toIpc(await get(tables.lines)));
  if (tables.survey) await insertCanonical(db, 'survey', await toIpc(await get(tables.survey)));
  else await db.exec(SURVEY_DDL);
  // A publication carries no contact values nor unused columns: the lists show none.
  await db.exec(CUSTOMER_INFO_DDL);
}
