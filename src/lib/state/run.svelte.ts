/**
 * One dashboard run per (dataset, settings): `loading / result / error`. A newer request
 * supersedes an older one; its late result is dropped. Results are large: `$state.raw`.
 * The dataset facts (filter choices, currencies) are read once per dataset, before its
 * first run, and kept until `clear()` (which the page calls whenever no dataset is loaded).
 */
import type { DbClient, Row } from '../db/client.ts';
import {
  completePanel,
  datasetFacts,
  PHASE_WEIGHTS,
  type DashboardPhase,
  type DashboardResult,
  type DatasetFacts,
  type OnPhase,
  type PanelId,
  type PartialRun,
  type RunOptions,
} from '../analyses/index.ts';
import { currencyTotalsQuery, type CurrencyTotalRow } from '../analyses/overview.ts';
import type { Mapped } from '../model/derive.ts';
import type { Settings } from '../model/settings.ts';

export type RunDashboard = (db: DbClient, settings: Settings, mapped: Mapped, onPhase?: OnPhase, options?: RunOptions) => Promise<DashboardResult>;
export type CompletePanel = (db: DbClient, settings: Settings, result: DashboardResult, id: PanelId, onProgress?: (share: number) => void) => Promise<DashboardResult>;

/** What a run is doing: reading the dataset's facts (filter choices), or a phase of the run; `done` is 0 … 1. */
export interface RunProgress {
  readonly step: 'facts' | DashboardPhase;
  readonly done: number;
}
export type ReadFacts = (db: DbClient, mapped: Mapped) => Promise<DatasetFacts>;
export type ReadCurrencyTotals = (db: DbClient, mapped: Mapped) => Promise<readonly CurrencyTotalRow[]>;

/** Per currency group after the run's filters (the Overview's table when the amounts name several). */
export const readCurrencyTotals: ReadCurrencyTotals = async (db, mapped) =>
  (await db.query<Row>(currencyTotalsQuery(mapped))) as unknown as CurrencyTotalRow[];

export class RunState {
  loading = $state(false);
  /** Set while a run is going; null otherwise. */
  progress = $state.raw<RunProgress | null>(null);
  result = $state.raw<DashboardResult | null>(null);
  /**
   * While a run goes: the panels it has finished, with its as-of date (null otherwise, and
   * before its first panel). `result` is still the previous run's until this one ends.
   */
  fresh = $state.raw<PartialRun | null>(null);
  error = $state.raw<string | null>(null);
  facts = $state.raw<DatasetFacts | null>(null);
  /** The panel whose deferred part is running (opened for the first time since the run), with how far it is (0 … 1). */
  completing = $state.raw<{ readonly panel: PanelId; readonly done: number } | null>(null);
  /** Milliseconds each deferred part of the current result took (for the benchmark). */
  deferredMillis = $state.raw<Partial<Record<PanelId, number>>>({});
  /** Every currency group's lines, customers and revenue for the current result; empty unless the amounts name several. */
  currencyTotals = $state.raw<readonly CurrencyTotalRow[]>([]);
  private token = 0;
  /** What the current result was run with, for its deferred parts. */
  private ranWith: { readonly db: DbClient; readonly settings: Settings } | null = null;
  private completions = new Map<PanelId, Promise<void>>();
  private factsFor: { db: DbClient; mapped: string } | null = null;
  private factsGeneration = 0;
  /** Stops the run going now (at its next statement) when a newer one starts or the dataset goes. */
  private stopping: AbortController | null = null;
  /** Settles when the last run started has stopped: no statement of it runs any more. */
  private stopped: Promise<void> = Promise.resolve();
  /** The panel on screen, which a run going takes next (`want`). */
  private wanted: PanelId | undefined = undefined;

  constructor(
    private readonly runDashboard: RunDashboard,
    private readonly readFacts: ReadFacts | null = datasetFacts,
    private readonly readTotals: ReadCurrencyTotals = readCurrencyTotals,
    private readonly completeOne: CompletePanel = completePanel,
    /** Leave the panels' deferred parts for when each is opened (`complete`). */
    private readonly defer = false,
  ) {}

  /**
   * Runs never overlap: a newer run stops the one going at its next statement and starts
   * once it has stopped. (Interleaved, two runs' statements would replace each other's
   * derived tables and session variables, and the newer could read the older's.)
   * `first`: the panel on screen, run first (after the panels it reads) and shown as soon as it is done.
   */
  async run(db: DbClient, settings: Settings, mapped: Mapped, first?: PanelId): Promise<void> {
    const token = ++this.token;
    this.stopping?.abort();
    const stopping = new AbortController();
    this.stopping = stopping;
    const previous = this.stopped;
    let stopped = () => {};
    this.stopped = new Promise<void>((resolve) => (stopped = resolve));
    this.loading = true;
    this.error = null;
    this.progress = { step: 'facts', done: 0 };
    this.fresh = null;
    this.completing = null;
    this.completions.clear();
    this.deferredMillis = {};
    try {
      await previous;
      if (token !== this.token) return;
      await this.ensureFacts(db, mapped);
      // The phases come in whatever order the run takes them: done = the phases ended so far.
      let ended = 0;
      let current: DashboardPhase | null = null;
      const onPhase: OnPhase = (phase, share = 0) => {
        if (phase !== current) {
          if (current !== null) ended += PHASE_WEIGHTS[current];
          current = phase;
        }
        if (token === this.token) this.progress = { step: phase, done: ended + Math.min(1, Math.max(0, share)) * PHASE_WEIGHTS[phase] };
      };
      const onPanel = (part: PartialRun) => {
        if (token === this.token) this.fresh = part;
      };
      const result = await this.runDashboard(db, settings, mapped, onPhase, {
        defer: this.defer,
        signal: stopping.signal,
        onPanel,
        wanted: () => this.wanted,
        ...(first === undefined ? {} : { first }),
      });
      if (token !== this.token) return;
      this.ranWith = { db, settings };
      this.result = result;
      this.fresh = null;
      this.currencyTotals = [];
      if ((this.facts?.currencies.length ?? 0) >= 2) void this.readCurrencyTotals(token, db, mapped);
    } catch (e) {
      if (token !== this.token) return;
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      stopped();
      if (token === this.token) {
        this.loading = false;
        this.progress = null;
        this.fresh = null;
      }
    }
  }

  /** The panel on screen now: a run going takes it next (after what it reads), not in its turn. */
  want(id: PanelId | undefined): void {
    this.wanted = id;
  }

  /**
   * Runs the deferred part of panel `id` of the current result, once (a no-op when nothing is
   * pending); a newer run drops it. The page calls it when the panel is shown.
   */
  complete(id: PanelId): Promise<void> {
    const pending = this.result?.pending ?? [];
    if (!pending.includes(id) || this.loading || this.ranWith === null) return Promise.resolve();
    const running = this.completions.get(id);
    if (running) return running;
    const token = this.token;
    const { db, settings } = this.ranWith;
    const work = (async () => {
      this.completing = { panel: id, done: 0 };
      try {
        const base = this.result;
        if (base === null) return;
        const t0 = performance.now();
        const whole = await this.completeOne(db, settings, base, id, (share) => {
          if (token === this.token) this.completing = { panel: id, done: share };
        });
        if (token !== this.token || this.result === null) return;
        this.deferredMillis = { ...this.deferredMillis, [id]: performance.now() - t0 };
        // Other panels may have completed meanwhile: take only this panel's part.
        const current = this.result;
        this.result = { ...current, [id]: whole[id], pending: (current.pending ?? []).filter((p) => p !== id) };
      } catch (e) {
        if (token === this.token) this.error = e instanceof Error ? e.message : String(e);
      } finally {
        if (token === this.token) {
          this.completing = null;
          this.completions.delete(id);
        }
      }
    })();
    this.completions.set(id, work);
    return work;
  }

  /** Every pending part of the current result (the report reads every panel); the result then. */
  async completeAll(): Promise<DashboardResult | null> {
    for (const id of this.result?.pending ?? []) await this.complete(id);
    return this.result;
  }

  /** A convenience like the facts: the dashboard shows without the totals when they cannot be read. */
  private async readCurrencyTotals(token: number, db: DbClient, mapped: Mapped): Promise<void> {
    try {
      const totals = await this.readTotals(db, mapped);
      if (token === this.token) this.currencyTotals = totals;
    } catch {
      // The Overview then lists no per-currency table; the analysed currency is still named.
    }
  }

  /** Facts are a convenience: when they cannot be read, the dashboard still runs without them. */
  private async ensureFacts(db: DbClient, mapped: Mapped): Promise<void> {
    if (this.readFacts === null) return;
    const key = JSON.stringify(mapped);
    if (this.factsFor !== null && this.factsFor.db === db && this.factsFor.mapped === key) return;
    const generation = ++this.factsGeneration;
    this.factsFor = { db, mapped: key };
    this.facts = null;
    try {
      const facts = await this.readFacts(db, mapped);
      if (generation === this.factsGeneration) this.facts = facts;
    } catch {
      if (generation === this.factsGeneration) this.factsFor = null;
    }
  }

  clear(): void {
    this.token++;
    this.stopping?.abort();
    this.loading = false;
    this.progress = null;
    this.result = null;
    this.fresh = null;
    this.error = null;
    this.facts = null;
    this.currencyTotals = [];
    this.factsFor = null;
    this.completing = null;
    this.completions.clear();
    this.ranWith = null;
    this.factsGeneration++;
  }
}
