/**
 * What a dashboard panel is to the rest of the program: one descriptor per analysis module
 * (`overviewPanel` in overview.ts, …), listed in order by `registry.ts`. The dashboard run,
 * the progress bar, share links, the report, the exports and `analyze` all read the
 * registry, so a new panel is one module and one registry line (docs/ARCHITECTURE.md,
 * "Adding a panel").
 */
import type { DbClient } from '../db/client.ts';
import type { Mapped } from '../model/derive.ts';
import type { MetricId, Metrics } from '../model/metrics.ts';
import type { Settings } from '../model/settings.ts';

/**
 * The canonical tables a dashboard run builds only when a panel first reads them: the
 * customer rankings (`ranked_value`, `ranked_profit`, pareto.ts) and `purchase_days`
 * (derive.ts). The panel on screen, taken first, does not wait for what it does not read.
 */
export type LazyTable = 'rankings' | 'purchase_days';

/** What every panel's run is given besides the settings. */
export interface PanelContext {
  /** The as-of date in use (ISO): the setting, else the latest day with a kept line (1970-01-01 when none is left). */
  readonly asOf: string;
  readonly mapped: Mapped;
  /** Told how far the panel's run is (0 … 1), for a panel whose step is long (a model fit). */
  readonly progress?: (share: number) => void;
  /** True in a run that leaves each panel's `deferred` part for later (the page's); `run` then skips it. */
  readonly defer?: boolean;
  /**
   * Builds canonical tables that not every panel reads, once per run, the first time a panel
   * asks: a panel that reads them awaits it first. Absent where `derive` has built them.
   */
  readonly ensure?: (...tables: readonly LazyTable[]) => Promise<void>;
}

/**
 * The part of a panel's result only its own tab shows (not its KPIs), when it costs much of
 * a run: the page runs it when the tab is first opened; the report, publishing and `analyze`
 * run it with the rest. It only reads the run's tables (never writes one), so a newer run
 * that starts meanwhile is not disturbed by it.
 */
export interface DeferredPart<R> {
  /** The whole result, from the one `run` gave with `ctx.defer` (whose deferred members are empty). */
  complete(db: DbClient, settings: Settings, ctx: PanelContext, partial: R): Promise<R>;
}

/** Values a panel adds to each row of the per-customer table (`analyze --customers`), after its own columns. */
export interface CustomerColumns {
  /** Column names (snake_case), in order. */
  readonly columns: readonly string[];
  /** By customer id, one value per column; a customer without an entry gets empty cells. */
  readonly values: ReadonlyMap<string, readonly (number | string | null)[]>;
}

/** One aggregate table of a panel (never customer-level rows). */
export interface PanelTable {
  /** Key in `analyze --json`'s `tables.<panel>` (snake_case). */
  readonly name: string;
  /** Message key of its title in the report. */
  readonly title: string;
  readonly rows: readonly object[];
  /** False for a table only `analyze --json` carries (the report keeps to the panel's chart tables). */
  readonly inReport?: boolean;
}

export interface PanelDescriptor<Id extends string = string, R = unknown, Shows extends string = string> {
  readonly id: Id;
  /**
   * What its queries cost, for the progress bar: their median milliseconds in the page at
   * 1 M lines (BENCHMARKS.md), without its deferred part (which its own tab shows progress
   * for). Shares of a run are these over their sum with `CANONICAL_WEIGHT`.
   */
  readonly weight: number;
  /** The KPIs the panel shows, in page order (ids of METRICS.md). */
  readonly kpis: readonly MetricId[];
  /**
   * Panels whose tables its queries read (`customer_segments` is the segments panel's): they
   * run before it, also when a run takes it first (`RunOptions.first`). Each comes earlier
   * in the registry.
   */
  readonly needs?: readonly string[];
  /**
   * Other panels whose numbers its view shows as its own (the repurchase and retention views
   * show the overview's orders, customers and activity): a run taking it first runs them before
   * it, and while a run goes the page marks it as updating until they are done too. Each comes
   * earlier in the registry. (The overview's headlines and to-do cards, which summarise other
   * panels, are marked one by one in its view instead.)
   */
  readonly shows?: readonly Shows[];
  /** Its queries, run as one step on the derived tables (`orders`, `customers`, …) and those of its `needs`. */
  run(db: DbClient, settings: Settings, ctx: PanelContext): Promise<R>;
  /** The metric values its result holds (each metric id is held by exactly one panel). */
  metrics(result: R): Partial<Metrics>;
  /** Its aggregate tables for the report, `analyze --json` and publishing. */
  tables(result: R): readonly PanelTable[];
  /** Tables left out of a deferring run (the monthly stage history, the composition crosses); absent for most panels. */
  readonly deferred?: DeferredPart<R>;
  /** Per-customer columns the panel adds to the customer table; absent for most panels. */
  customerColumns?(result: R): CustomerColumns;
}

/** The result type of a descriptor. */
export type ResultOf<P> = P extends PanelDescriptor<string, infer R> ? R : never;

/** The panels a descriptor's view shows besides its own (its `shows`, as a type). */
export type ShowsOf<P> = P extends PanelDescriptor<string, unknown, infer S> ? (string extends S ? never : S) : never;
