/**
 * Runs every analysis for one set of settings and collects the typed results the views
 * and charts read. The only analysis module that touches a database client (type only).
 */
import type { DbClient, Row } from '../db/client.ts';
import type { SqlQuery } from '../db/sql.ts';
import type { LoadReport } from '../ingest/types.ts';
import { deriveTables, defaultAsOfQuery, type DefaultAsOfRow, type Mapped } from '../model/derive.ts';
import type { Metrics } from '../model/metrics.ts';
import type { Dimension } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import type { DayBinRow } from './common.ts';
import {
  CHOICES_LIMIT,
  currenciesQuery,
  dimensionChoicesQuery,
  overviewQuery,
  trendQuery,
  type CurrencyRow,
  type DimensionChoiceRow,
  type OverviewRow,
  type TrendRow,
} from './overview.ts';
import {
  hasProfitQuery,
  paretoCurveQuery,
  paretoDecilesQuery,
  paretoSummaryQuery,
  paretoTiersQuery,
  profitDecilesQuery,
  rankedTables,
  profitSplitQuery,
  profitSummaryQuery,
  type DecileRow,
  type HasProfitRow,
  type LorenzPoint,
  type ParetoParams,
  type ParetoResult,
  type ParetoSummaryRow,
  type ProfitSplitRow,
  type ProfitSummaryRow,
  type TierRow,
} from './pareto.ts';
import {
  daysToSecondQuery,
  gapsQuery,
  kaplanMeierQuery,
  kmSummary,
  orderCountsQuery,
  periodRepurchaseQuery,
  repurchaseByDimensionQuery,
  repurchaseSummaryQuery,
  type KmPoint,
  type OrderCountRow,
  type PeriodRepurchaseRow,
  type RepurchaseByDimRow,
  type RepurchaseParams,
  type RepurchaseResult,
  type RepurchaseSummaryRow,
} from './repurchase.ts';
import {
  activityQuery,
  cohortCellsQuery,
  retentionCellsTable,
  retentionCurveQuery,
  retentionKpiQuery,
  type ActivityRow,
  type CohortCell,
  type RetentionCurvePoint,
  type RetentionKpiRow,
  type RetentionParams,
  type RetentionResult,
} from './retention.ts';
import {
  groupsQuery,
  levelsQuery,
  quadrantsQuery,
  satisfactionSummaryQuery,
  scaleInfo,
  scoreRangeQuery,
  type LevelRow,
  type QuadrantRow,
  type SatisfactionGroupRow,
  type SatisfactionParams,
  type SatisfactionResult,
  type SatisfactionSummaryRow,
  type ScoreRangeRow,
} from './satisfaction.ts';

export type * from './common.ts';
export type * from './overview.ts';
export type * from './pareto.ts';
export type * from './repurchase.ts';
export type * from './retention.ts';
export type * from './satisfaction.ts';
export type * from './customer-list.ts';
export { customerListQuery } from './customer-list.ts';

/** Everything the dashboard shows for one dataset and one set of settings. */
export interface DashboardResult {
  /** The as-of date used (ISO); null when no line survives the filters (then every section is empty). */
  readonly asOf: string | null;
  /**
   * Kept lines of the analysed group, after the filters, dated after the as-of date: set
   * aside, as the data stood on the as-of day did not have them (0 with the default as-of).
   */
  readonly linesAfterAsOf: number;
  readonly mapped: Mapped;
  readonly overview: OverviewRow;
  /** Month by month from the first to the last order (after the filters). */
  readonly trend: readonly TrendRow[];
  readonly pareto: ParetoResult;
  readonly repurchase: RepurchaseResult;
  readonly retention: RetentionResult;
  readonly satisfaction: SatisfactionResult;
  /** Wall-clock milliseconds of the whole run (derive included). */
  readonly millis: number;
  /** The same run step by step: the canonical tables, then each panel's queries. */
  readonly phases: Readonly<Record<DashboardPhase, number>>;
}

export const DASHBOARD_PHASES = ['canonical', 'overview', 'pareto', 'repurchase', 'retention', 'satisfaction'] as const;
export type DashboardPhase = (typeof DASHBOARD_PHASES)[number];

/**
 * The share of a dashboard run each phase takes, for a progress bar: the medians at 1 M and
 * 5 M lines in BENCHMARKS.md, rounded (the canonical tables are about half of it).
 */
export const PHASE_WEIGHTS: Readonly<Record<DashboardPhase, number>> = {
  canonical: 0.49,
  overview: 0.05,
  pareto: 0.06,
  repurchase: 0.15,
  retention: 0.21,
  satisfaction: 0.04,
};

/** How far a run is when `phase` starts: the weights of the phases before it (0 … 1). */
export function phaseStart(phase: DashboardPhase): number {
  let done = 0;
  for (const p of DASHBOARD_PHASES) {
    if (p === phase) break;
    done += PHASE_WEIGHTS[p];
  }
  return done;
}

/** Told as each phase of a run starts. */
export type OnPhase = (phase: DashboardPhase) => void;

// Row shapes are fixed by the casts in each query; this is the one place they are asserted.
async function rows<T>(db: DbClient, q: SqlQuery): Promise<T[]> {
  return (await db.query<Row>(q)) as unknown as T[];
}

async function one<T>(db: DbClient, q: SqlQuery): Promise<T> {
  const [row] = await rows<T>(db, q);
  if (row === undefined) throw new Error(`query returned no row: ${q.text.slice(0, 80)}`);
  return row;
}

export function mappedDimensions(mapped: Mapped): Dimension[] {
  return (['category', 'region', 'channel'] as const).filter((d) => mapped[d]);
}

/** Rebuild f_lines / orders / customers (and the customer rankings) for the settings' filters and as-of date. */
export async function derive(db: DbClient, settings: Settings, mapped: Mapped): Promise<void> {
  for (const q of [...deriveTables(settings.filters, mapped, settings.asOf), ...rankedTables()]) await db.exec(q);
}

/** The as-of date in use: the setting, else the latest calendar day among kept lines (null when none). */
export async function resolveAsOf(db: DbClient, settings: Settings): Promise<string | null> {
  if (settings.asOf !== null) return settings.asOf;
  return (await one<DefaultAsOfRow>(db, defaultAsOfQuery())).as_of;
}

/**
 * Derive the tables, then run every analysis in sequence (the browser engine is single
 * threaded). Requires the canonical `lines` table (and `survey`, when a survey was loaded).
 */
export async function runDashboard(db: DbClient, settings: Settings, mapped: Mapped, onPhase?: OnPhase): Promise<DashboardResult> {
  const started = Date.now();
  const phases: Record<DashboardPhase, number> = { canonical: 0, overview: 0, pareto: 0, repurchase: 0, retention: 0, satisfaction: 0 };
  let lapStart = performance.now();
  onPhase?.('canonical');
  const lap = (phase: DashboardPhase): void => {
    const now = performance.now();
    phases[phase] = now - lapStart;
    lapStart = now;
    const next = DASHBOARD_PHASES[DASHBOARD_PHASES.indexOf(phase) + 1];
    if (next) onPhase?.(next);
  };
  await derive(db, settings, mapped);
  const { as_of: dataAsOf, lines_after_as_of: linesAfterAsOf } = await one<DefaultAsOfRow>(db, defaultAsOfQuery());
  lap('canonical');
  // With no line left, every query still runs (on empty tables) so that the shapes stay the same.
  const asOf = settings.asOf ?? dataAsOf ?? '1970-01-01';

  const overview = await one<OverviewRow>(db, overviewQuery({ asOf, churnWindowDays: settings.churnWindowDays }));
  const trend = await rows<TrendRow>(db, trendQuery());
  lap('overview');

  const pp: ParetoParams = { tierA: settings.tierA, tierB: settings.tierB, topShare: settings.topShare };
  const hasProfit = (await one<HasProfitRow>(db, hasProfitQuery())).has_profit;
  const pareto: ParetoResult = {
    summary: await one<ParetoSummaryRow>(db, paretoSummaryQuery(pp)),
    curve: await rows<LorenzPoint>(db, paretoCurveQuery(pp)),
    deciles: await rows<DecileRow>(db, paretoDecilesQuery()),
    tiers: await rows<TierRow>(db, paretoTiersQuery(pp)),
    profit: hasProfit
      ? {
          summary: await one<ProfitSummaryRow>(db, profitSummaryQuery()),
          split: await rows<ProfitSplitRow>(db, profitSplitQuery()),
          deciles: await rows<DecileRow>(db, profitDecilesQuery()),
        }
      : null,
  };
  lap('pareto');

  const rp: RepurchaseParams = { asOf, dimensions: mappedDimensions(mapped) };
  const byDim = repurchaseByDimensionQuery(rp);
  const km = await rows<KmPoint>(db, kaplanMeierQuery(rp));
  const repurchase: RepurchaseResult = {
    summary: await one<RepurchaseSummaryRow>(db, repurchaseSummaryQuery()),
    kmSummary: kmSummary(km),
    orderCounts: await rows<OrderCountRow>(db, orderCountsQuery()),
    daysToSecond: await rows<DayBinRow>(db, daysToSecondQuery()),
    km,
    gaps: await rows<DayBinRow>(db, gapsQuery()),
    byPeriod: await rows<PeriodRepurchaseRow>(db, periodRepurchaseQuery(rp)),
    byDimension: byDim ? await rows<RepurchaseByDimRow>(db, byDim) : [],
  };
  lap('repurchase');

  const tp: RetentionParams = { asOf, period: settings.cohortPeriod, mode: settings.retentionMode, clock: settings.cohortClock };
  const cells = { table: 'retention_cells' };
  await db.exec(retentionCellsTable(tp, cells.table));
  const curve = await rows<RetentionCurvePoint>(db, retentionCurveQuery(tp, cells, { completeThrough: settings.completeThrough }));
  const kpis =
    tp.period === 'month' && tp.mode === 'on' && tp.clock === 'calendar' && settings.completeThrough === null
      ? kpisFromCurve(curve)
      : await one<RetentionKpiRow>(db, retentionKpiQuery(asOf));
  const retention: RetentionResult = {
    cells: await rows<CohortCell>(db, cohortCellsQuery(tp, cells)),
    curve,
    kpis,
    activity: await rows<ActivityRow>(db, activityQuery({ asOf, churnWindowDays: settings.churnWindowDays })),
  };
  lap('retention');

  const sp: SatisfactionParams = {
    scale: settings.scoreScale,
    highSatisfaction: settings.highSatisfaction,
    loyalMinOrders: settings.loyalMinOrders,
  };
  const range = await one<ScoreRangeRow>(db, scoreRangeQuery());
  const info = scaleInfo(range, sp, mapped.npsScore ?? false);
  const quadrants = quadrantsQuery(info, sp);
  const groups = groupsQuery(info, sp);
  const satisfaction: SatisfactionResult = {
    source: range.source,
    range,
    scaleInfo: info,
    summary: await one<SatisfactionSummaryRow>(db, satisfactionSummaryQuery(info, sp)),
    levels: await rows<LevelRow>(db, levelsQuery(sp, info)),
    groups: groups ? await rows<SatisfactionGroupRow>(db, groups) : [],
    quadrants: quadrants ? await rows<QuadrantRow>(db, quadrants) : [],
  };
  lap('satisfaction');

  return {
    asOf: dataAsOf === null ? null : asOf,
    linesAfterAsOf,
    mapped,
    overview,
    trend,
    pareto,
    repurchase,
    retention,
    satisfaction,
    millis: Date.now() - started,
    phases,
  };
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

function kpisFromCurve(curve: readonly RetentionCurvePoint[]): RetentionKpiRow {
  const at = (k: number) => curve.find((p) => p.k === k)?.rate ?? null;
  return { retention_m1: at(1), retention_m3: at(3), retention_m6: at(6), retention_m12: at(12) };
}

/** Every metric of METRICS.md: row counts from the load report, the rest from the result. */
export function metricsOf(r: DashboardResult, report: Pick<LoadReport, 'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped'>): Metrics {
  const o = r.overview;
  const p = r.pareto.summary;
  const s = r.satisfaction.summary;
  return {
    rows_read: report.rows_read,
    rows_kept: report.rows_kept,
    rows_rejected: report.rows_rejected,
    rows_skipped: report.rows_skipped,
    customers: o.customers,
    orders: o.orders,
    revenue: o.revenue,
    returns_value: o.returns_value,
    aov: o.aov,
    orders_per_customer: o.orders_per_customer,
    repurchase_rate: o.repurchase_rate,
    repeat_order_share: o.repeat_order_share,
    median_days_to_second: r.repurchase.kmSummary.median_days_to_second,
    top20_share: p.top20_share,
    gini: p.gini,
    tier_a_customers: p.tier_a_customers,
    tier_a_customer_share: p.tier_a_customer_share,
    retention_m1: r.retention.kpis.retention_m1,
    retention_m3: r.retention.kpis.retention_m3,
    retention_m6: r.retention.kpis.retention_m6,
    retention_m12: r.retention.kpis.retention_m12,
    active_customers: o.active_customers,
    lapsed_customers: o.lapsed_customers,
    customers_with_score: s.customers_with_score,
    satisfaction_mean: s.satisfaction_mean,
    quadrant_loyalists: s.quadrant_loyalists,
    quadrant_mercenaries: s.quadrant_mercenaries,
    quadrant_hostages: s.quadrant_hostages,
    quadrant_defectors: s.quadrant_defectors,
    nps: s.nps,
    km_reached_share: r.repurchase.kmSummary.km_reached_share,
    median_days_to_second_repeaters: r.repurchase.summary.median_days_to_second_repeaters,
    nps_responses: s.nps_responses,
  };
}
