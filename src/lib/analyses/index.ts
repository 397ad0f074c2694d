/**
 * Runs every analysis for one set of settings and collects the typed results the views
 * and charts read. The only analysis module that touches a database client (to pass it on,
 * wrapped so that a newer run can stop this one).
 */
import { abortable, type DbClient } from '../db/client.ts';
import { raw, type SqlQuery } from '../db/sql.ts';
import type { LoadReport } from '../ingest/types.ts';
import { DERIVED_COMPRESSED_FROM_LINES, deriveTables, orderParts, purchaseDaysTable, defaultAsOfQuery, type DefaultAsOfRow, type Mapped } from '../model/derive.ts';
import { mappedDimensions } from '../model/mapped.ts';
import { METRIC_IDS, type MetricId, type Metrics } from '../model/metrics.ts';
import type { Dimension } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import { CHOICES_LIMIT, currenciesQuery, dimensionChoicesQuery, type CurrencyRow, type DimensionChoiceRow } from './overview.ts';
import { one, rows } from './common.ts';
import type { LazyTable, PanelContext } from './panel.ts';
import { rankedTables } from './pareto.ts';
import { PANEL_IDS, PANEL_REGISTRY, panelOf, resultOf, type PanelId, type PanelResults } from './registry.ts';

export type * from './common.ts';
export type * from './overview.ts';
export type * from './pareto.ts';
export type * from './repurchase.ts';
export type * from './retention.ts';
export type * from './satisfaction.ts';
export type * from './clv.ts';
export type * from './customer-list.ts';
export type * from './panel.ts';
export type { PanelId, PanelResults, ShownByView } from './registry.ts';
export type * from './drill.ts';
export { mappedDimensions };

/** Everything the dashboard shows for one dataset and one set of settings: each panel's result under its id. */
export type DashboardResult = PanelResults & {
  /** The as-of date used (ISO); null when no line survives the filters (then every section is empty). */
  readonly asOf: string | null;
  readonly mapped: Mapped;
  /**
   * Kept lines of the analysed group, after the filters, dated after the as-of date: set
   * aside, as the data stood on the as-of day did not have them (0 with the default as-of).
   */
  readonly linesAfterAsOf: number;
  /** Wall-clock milliseconds of the whole run (derive included). */
  readonly millis: number;
  /** The same run step by step: the canonical tables, then each panel's queries. */
  readonly phases: Readonly<Record<DashboardPhase, number>>;
  /**
   * Panels whose deferred part (`PanelDescriptor.deferred`) has not run yet: their results
   * lack those tables until `completePanel` adds them. Absent or empty: every part ran.
   */
  readonly pending?: readonly PanelId[];
};

/**
 * What the dashboard shows of a run: its facts and the panels it has (`Partial`), with at
 * least the panels `K` — a view's own and those it `shows`. A finished run
 * (`DashboardResult`) is one for any `K`; while the first run goes, the panels done so far.
 */
export type Shown<K extends PanelId = never> = Omit<DashboardResult, PanelId | 'millis' | 'phases'> & Partial<PanelResults> & Pick<PanelResults, K>;

/** `shown` with the panels `ids` (checked): what a view that shows them can be given; null while any is missing. */
export function shownWith<K extends PanelId>(shown: Shown, ids: readonly K[]): Shown<K> | null {
  for (const id of ids) if (shown[id] === undefined) return null;
  return shown as Shown<K>;
}

/**
 * What each view is given of the shown result: its facts and only the panels the view reads
 * (`reads`), as one object that stays the same while none of those changes. While a run
 * goes, the result changes each time a panel is done; a view given the whole result would be
 * drawn again (its charts rebuilt) eleven times in a first run, for panels it does not show.
 * A panel left out is absent, so a view that reads one it did not declare finds it missing
 * every time, not stale now and then.
 */
export class ViewResults {
  readonly #last = new Map<PanelId, { readonly key: readonly unknown[]; readonly value: Shown }>();

  /** `shown` narrowed to its facts and the panels `reads` (those the view of `view` reads). */
  of<S extends Shown>(view: PanelId, shown: S, reads: readonly PanelId[]): S {
    const keep = new Set<string>(reads);
    const entries = Object.entries(shown).filter(([k]) => !PANEL_SET.has(k) || keep.has(k));
    // A list of names (`pending`) is new in every partial result: compared by what it holds.
    const key = entries.flatMap(([k, v]) => [k, Array.isArray(v) && v.every((x) => typeof x === 'string') ? `[${v.join(',')}]` : v]);
    const last = this.#last.get(view);
    if (last !== undefined && last.key.length === key.length && last.key.every((v, i) => v === key[i])) return last.value as S;
    const value = Object.fromEntries(entries) as S;
    this.#last.set(view, { key, value });
    return value;
  }
}

const PANEL_SET: ReadonlySet<string> = new Set(PANEL_IDS);

export interface RunOptions {
  /** Leave each panel's deferred part out (the page, which runs it when the panel is opened). */
  readonly defer?: boolean;
  /** Kept lines from which the derived tables are compressed (default DERIVED_COMPRESSED_FROM_LINES). */
  readonly compressFrom?: number;
  /** Kept lines per part of `orders` when compressed (default ORDER_PART_LINES; derive.ts `orderParts`). */
  readonly orderPartLines?: number;
  /** Stops the run before its next statement (a newer run replaces it): the run then throws the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * The panel to run first, after the panels whose tables it reads (`PanelDescriptor.needs`):
   * the one on screen, so that it shows the new result before the others are done. The
   * result is the same in any order.
   */
  readonly first?: PanelId;
  /**
   * Asked before each panel: the panel wanted now (the one on screen, which the user may
   * change while the run goes). The run takes it next, after what it reads that has not
   * run yet (`phaseOrder`); undefined: carry on with `first`'s order.
   */
  readonly wanted?: () => PanelId | undefined;
  /** Told after each panel has run, with every panel that has run so far (the page shows them as they come). */
  readonly onPanel?: (part: PartialRun) => void;
}

/** A run under way: what it knows of the data, and the panels that have run. */
export interface PartialRun {
  readonly asOf: string | null;
  readonly mapped: Mapped;
  readonly linesAfterAsOf: number;
  readonly panels: Partial<PanelResults>;
  /** Those of `panels` whose deferred part the run leaves out. */
  readonly pending: readonly PanelId[];
}

/** The steps of a run: the canonical tables, then each panel in registry order. */
export const DASHBOARD_PHASES: readonly DashboardPhase[] = ['canonical', ...PANEL_IDS];
export type DashboardPhase = 'canonical' | PanelId;

/** The canonical tables' cost in the same units as the panels' weights (ms at 1 M lines, BENCHMARKS.md). */
export const CANONICAL_WEIGHT = 1650;

const TOTAL_WEIGHT = PANEL_REGISTRY.reduce((sum, p) => sum + p.weight, CANONICAL_WEIGHT);

/** The share of a dashboard run each phase takes, for a progress bar (sums to 1). */
export const PHASE_WEIGHTS: Readonly<Record<DashboardPhase, number>> = Object.fromEntries([
  ['canonical', CANONICAL_WEIGHT / TOTAL_WEIGHT],
  ...PANEL_REGISTRY.map((p) => [p.id, p.weight / TOTAL_WEIGHT] as const),
]) as Record<DashboardPhase, number>;

/**
 * The panels a panel's view shows numbers of: itself and its `shows` (registry order). While a
 * run goes, the view is current once all of them are.
 */
export function shownBy(id: PanelId): readonly PanelId[] {
  const shows = new Set<string>(panelOf(id).shows ?? []);
  return PANEL_IDS.filter((p) => p === id || shows.has(p));
}

/**
 * The order a run takes its phases in: the canonical tables, then `first`, the panels its
 * view shows and what they read (`needs`, `shows`; registry order among them), then the
 * other panels in registry order.
 */
export function phaseOrder(first?: PanelId): readonly DashboardPhase[] {
  if (first === undefined) return DASHBOARD_PHASES;
  const early = new Set<PanelId>([first]);
  const add = (id: PanelId): void => {
    const { needs = [], shows = [] } = panelOf(id);
    for (const before of [...needs, ...shows] as readonly PanelId[]) {
      if (!early.has(before)) {
        early.add(before);
        add(before);
      }
    }
  };
  add(first);
  return ['canonical', ...PANEL_IDS.filter((id) => early.has(id)), ...PANEL_IDS.filter((id) => !early.has(id))];
}

/** The panel a run takes next of those `left`: the first of them in the order of the panel wanted now, else of `first`. */
function nextPanel(left: ReadonlySet<PanelId>, first: PanelId | undefined, wanted: (() => PanelId | undefined) | undefined): PanelId | undefined {
  if (left.size === 0) return undefined;
  const now = wanted?.();
  const order = phaseOrder(now !== undefined && left.has(now) ? now : first);
  return order.find((p): p is PanelId => p !== 'canonical' && left.has(p));
}

/** Told as each phase of a run starts, and, by a long panel, how far into it the run is (`share` 0 … 1). */
export type OnPhase = (phase: DashboardPhase, share?: number) => void;

/**
 * Rebuild f_lines / orders / customers (and purchase_days and the customer rankings, unless
 * `lazy`: then `lazyTables` builds them) for the settings' filters and as-of date;
 * compressed, and `orders` built a part of the customers at a time, when the data has
 * DERIVED_COMPRESSED_FROM_LINES lines or more.
 */
export async function derive(
  db: DbClient,
  settings: Settings,
  mapped: Mapped,
  options: Pick<RunOptions, 'compressFrom' | 'orderPartLines'> & { readonly lazy?: boolean } = {},
): Promise<void> {
  const { n } = await one<{ n: number }>(db, raw('SELECT count(*)::INTEGER AS n FROM lines'));
  const compressFrom = options.compressFrom ?? DERIVED_COMPRESSED_FROM_LINES;
  const compress = n >= compressFrom;
  const parts = orderParts(n, compressFrom, options.orderPartLines);
  const lazy = options.lazy === true;
  for (const q of [...deriveTables(settings.filters, mapped, settings.asOf, compress, parts, !lazy), ...(lazy ? [] : rankedTables())]) {
    await db.exec(q);
  }
}

/**
 * The builder of a run's `LazyTable`s (after `derive` with `lazy`): each is built on the
 * first call that names it, once; every call waits for what it names.
 */
export function lazyTables(db: DbClient): (...tables: readonly LazyTable[]) => Promise<void> {
  const statements: Record<LazyTable, () => readonly SqlQuery[]> = { purchase_days: () => [purchaseDaysTable()], rankings: rankedTables };
  const built = new Map<LazyTable, Promise<void>>();
  const build = (t: LazyTable): Promise<void> => {
    let done = built.get(t);
    if (done === undefined) {
      done = (async () => {
        for (const q of statements[t]()) await db.exec(q);
      })();
      built.set(t, done);
    }
    return done;
  };
  return async (...tables) => {
    for (const t of tables) await build(t);
  };
}

/** The as-of date in use: the setting, else the latest calendar day among kept lines (null when none). */
export async function resolveAsOf(db: DbClient, settings: Settings): Promise<string | null> {
  if (settings.asOf !== null) return settings.asOf;
  return (await one<DefaultAsOfRow>(db, defaultAsOfQuery())).as_of;
}

/**
 * Derive the tables, then run every registered panel in order (the browser engine is single
 * threaded). Requires the canonical `lines` table (and `survey`, when a survey was loaded).
 */
export async function runDashboard(dbIn: DbClient, settings: Settings, mapped: Mapped, onPhase?: OnPhase, options: RunOptions = {}): Promise<DashboardResult> {
  const db = options.signal ? abortable(dbIn, options.signal) : dbIn;
  const started = Date.now();
  const phases = Object.fromEntries(DASHBOARD_PHASES.map((p) => [p, 0])) as Record<DashboardPhase, number>;
  let lapStart = performance.now();
  const lap = (phase: DashboardPhase): void => {
    const now = performance.now();
    phases[phase] = now - lapStart;
    lapStart = now;
  };
  onPhase?.('canonical');
  // purchase_days and the rankings are built by the first panel that reads them: a panel
  // taken first that does not (the overview) is not kept waiting for them.
  await derive(db, settings, mapped, { ...options, lazy: true });
  const { as_of: dataAsOf, lines_after_as_of: linesAfterAsOf } = await one<DefaultAsOfRow>(db, defaultAsOfQuery());
  lap('canonical');
  // With no line left, every query still runs (on empty tables) so that the shapes stay the same.
  const defer = options.defer === true;
  const ensure = lazyTables(db);
  const ctx: PanelContext = { asOf: settings.asOf ?? dataAsOf ?? '1970-01-01', mapped, defer, ensure };
  const asOf = dataAsOf === null ? null : ctx.asOf;
  const results: Partial<Record<PanelId, unknown>> = {};
  const pendingSoFar: PanelId[] = [];
  const left = new Set<PanelId>(PANEL_IDS);
  for (let id = nextPanel(left, options.first, options.wanted); id !== undefined; id = nextPanel(left, options.first, options.wanted)) {
    left.delete(id);
    const panel = panelOf(id);
    onPhase?.(id);
    results[id] = await panel.run(db, settings, { ...ctx, progress: (share) => onPhase?.(id, share) });
    lap(id);
    if (defer && panel.deferred) pendingSoFar.push(id);
    options.onPanel?.({ asOf, mapped, linesAfterAsOf, panels: { ...(results as Partial<PanelResults>) }, pending: [...pendingSoFar] });
  }
  // After a run every table is there, as after `derive`: for the deferred parts, the drills and the lists.
  await ensure('purchase_days', 'rankings');
  return {
    // Every registered panel has just run, each under its own id.
    ...(results as PanelResults),
    asOf,
    mapped,
    linesAfterAsOf,
    millis: Date.now() - started,
    phases,
    pending: defer ? PANEL_REGISTRY.flatMap((p) => (p.deferred ? [p.id] : [])) : [],
  };
}

/**
 * What the dashboard shows while a run goes: `previous` (the last run's result) with the
 * panels `fresh` has finished and its as-of date (a finished panel is pending as the run
 * left it, the others as they were); without a previous result, the finished panels alone
 * (the first run). Null before the run has finished any panel and without a previous result.
 */
export function withFresh(previous: DashboardResult | null, fresh: PartialRun | null): Shown | null {
  if (fresh === null) return previous;
  const done = new Set(Object.keys(fresh.panels));
  const facts = { asOf: fresh.asOf, mapped: fresh.mapped, linesAfterAsOf: fresh.linesAfterAsOf };
  if (previous === null) return done.size === 0 ? null : { ...fresh.panels, ...facts, pending: fresh.pending };
  const pending = PANEL_IDS.filter((id) => (done.has(id) ? fresh.pending : (previous.pending ?? [])).includes(id));
  return { ...previous, ...fresh.panels, ...facts, pending };
}

/**
 * Runs the deferred part of one panel of `result` (a no-op when it is not pending). Needs the
 * tables of the run that gave `result`, with the same settings: call it before another run.
 * `onProgress` is told 0 at the start (the part is one step).
 */
export async function completePanel(
  db: DbClient,
  settings: Settings,
  result: DashboardResult,
  id: PanelId,
  onProgress?: (share: number) => void,
): Promise<DashboardResult> {
  const panel = panelOf(id);
  if (!panel.deferred || !(result.pending ?? []).includes(id)) return result;
  onProgress?.(0);
  const ctx: PanelContext = { asOf: result.asOf ?? settings.asOf ?? '1970-01-01', mapped: result.mapped, progress: onProgress };
  const whole = await panel.deferred.complete(db, settings, ctx, resultOf(result, id));
  return { ...result, [id]: whole, pending: (result.pending ?? []).filter((p) => p !== id) };
}

/** `result` with every pending panel completed, for the report and exports that read them all. */
export async function completeAll(db: DbClient, settings: Settings, result: DashboardResult): Promise<DashboardResult> {
  let r = result;
  for (const id of result.pending ?? []) r = await completePanel(db, settings, r, id);
  return r;
}

/** The values one dimension filter offers, most lines first. */
export interface DimensionChoices {
  readonly values: readonly { readonly value: string; readonly lines: number }[];
  /** Values left out of the list (beyond the limit). */
  readonly more: number;
}

/** What stays the same for a dataset whatever the settings: read once after a load. */
export interface DatasetFacts {
  /** Per mapped dimension (unfiltered). */
  readonly choices: Readonly<Partial<Record<Dimension, DimensionChoices>>>;
  /** Currencies the amount cells name, most lines first. */
  readonly currencies: readonly CurrencyRow[];
}

export function groupChoices(dimensions: readonly Dimension[], rows: readonly DimensionChoiceRow[]): Partial<Record<Dimension, DimensionChoices>> {
  const out: Partial<Record<Dimension, DimensionChoices>> = {};
  for (const d of dimensions) {
    const mine = rows.filter((r) => r.dimension === d);
    out[d] = { values: mine.map((r) => ({ value: r.value, lines: r.lines })), more: Math.max(0, (mine[0]?.distinct_values ?? 0) - mine.length) };
  }
  return out;
}

/** Needs the canonical `lines` table only (no derive). */
export async function datasetFacts(db: DbClient, mapped: Mapped, limit = CHOICES_LIMIT): Promise<DatasetFacts> {
  const dimensions = mappedDimensions(mapped);
  const q = dimensionChoicesQuery(dimensions, limit);
  return {
    choices: groupChoices(dimensions, q ? await rows<DimensionChoiceRow>(db, q) : []),
    currencies: await rows<CurrencyRow>(db, currenciesQuery()),
  };
}

/**
 * The currency to format money with: the only one the data names, when it is a code
 * Intl knows; null when there are none or several (amounts are then plain numbers).
 */
export function singleCurrency(currencies: readonly Pick<CurrencyRow, 'currency'>[]): string | null {
  const [only, ...others] = currencies;
  if (only === undefined || others.length > 0 || !/^[A-Z]{3}$/.test(only.currency)) return null;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: only.currency });
    return only.currency;
  } catch {
    return null;
  }
}

/** The metrics of the load report (row counts), in no panel. */
export const REPORT_METRICS = ['rows_read', 'rows_kept', 'rows_rejected', 'rows_skipped'] as const satisfies readonly MetricId[];

/** The panel holding each metric of the panels `r` has (the load report's row counts are in none). */
export function metricPanels(r: Shown): Partial<Record<MetricId, PanelId>> {
  const out: Partial<Record<MetricId, PanelId>> = {};
  for (const panel of PANEL_REGISTRY) {
    if (r[panel.id] === undefined) continue;
    for (const id of Object.keys(panel.metrics(r[panel.id] as never)) as MetricId[]) out[id] = panel.id;
  }
  return out;
}

/** Every metric of METRICS.md: row counts from the load report, the rest from the panels that hold them. */
export function metricsOf(r: Shown, report: Pick<LoadReport, (typeof REPORT_METRICS)[number]>): Metrics {
  const held: Partial<Metrics> = {};
  // A panel not run yet (the first run under way) holds none: its metrics are null.
  for (const panel of PANEL_REGISTRY) if (r[panel.id] !== undefined) Object.assign(held, panel.metrics(r[panel.id] as never));
  const out = {} as Record<string, number | null>;
  for (const id of METRIC_IDS) out[id] = held[id] ?? null;
  for (const id of REPORT_METRICS) out[id] = report[id];
  return out as Metrics;
}
