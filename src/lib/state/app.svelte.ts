/**
 * The page's one state: the dataset (inspect → map → load → report), the settings, the
 * dashboard run, the data kept on this device, the active panel and which screen shows.
 * What used to be loose effects of App.svelte are its methods, registered by `connect()`
 * while the page's root component initialises: the link follows the view, the analyses
 * follow the data and settings, a load is written to the device once the engine is idle,
 * and leaving is guarded until it is. Components render this state and call its methods.
 */
import { untrack } from 'svelte';
import { completePanel, datasetFacts, runDashboard, type PanelId } from '../analyses/index.ts';
import { PANEL_IDS } from '../analyses/registry.ts';
import { i18n } from '../i18n/locale.svelte.ts';
import { DeviceStorage, type StartEngine } from '../offline/device.svelte.ts';
import { loadView, saveView } from '../offline/view-store.ts';
import { DatasetState } from './dataset.svelte.ts';
import type { IngestApi } from './ingest-api.ts';
import { readCurrencyTotals, RunState } from './run.svelte.ts';
import { SettingsState } from './settings.svelte.ts';
import { readUrlState, writeUrlState, type UrlState } from './url.ts';
import type { DeviceFs } from '../offline/opfs.ts';
import type { LoadStep, RawReader } from '../ingest/types.ts';

export type Screen = 'ingest' | 'dashboard';

export interface AppDeps {
  readonly ingest: IngestApi;
  readonly startDb: StartEngine;
  readonly opfs: DeviceFs;
  /** The query string the page was opened with. */
  readonly search: string;
}

export class AppState {
  readonly initial: UrlState;
  readonly dataset: DatasetState;
  readonly settings: SettingsState;
  readonly run: RunState;
  readonly device: DeviceStorage;
  /** The active panel; null = the first. One source: the dashboard shows it and asks to change it. */
  panel = $state<PanelId | null>(null);
  screen = $state<Screen>('ingest');
  /** The data shown is the built-in demo (kept in links as `?demo`). */
  fromDemo = $state(false);
  demoError = $state<string | null>(null);
  /**
   * Opened from a shared link (a view) or `?demo`: once its data is loaded the page goes
   * straight to that view, and the load report is a click away instead of a stop.
   */
  private straightToView = $state(false);
  /** The view stored with the device's data has been applied (until then, links are not saved over it). */
  private viewRestored = $state(false);

  constructor(deps: AppDeps) {
    this.initial = readUrlState(deps.search);
    if (this.initial.lang) i18n.set(this.initial.lang);
    this.dataset = new DatasetState(deps.ingest);
    this.dataset.linkMapping = this.initial.mapping;
    this.settings = new SettingsState(this.initial.settings);
    // Each panel's deferred tables run when the panel is first shown (`completeShownPanel`).
    this.run = new RunState(runDashboard, datasetFacts, readCurrencyTotals, completePanel, true);
    this.device = new DeviceStorage(this.dataset, deps.startDb, deps.opfs);
    this.dataset.store = this.device;
    this.panel = this.initial.panel;
    this.fromDemo = this.initial.demo;
    this.straightToView = this.initial.demo || new URLSearchParams(deps.search).has('v');
  }

  /** Registers the page's effects; call while the root component initialises. */
  connect(): void {
    $effect(() => this.followLanguage());
    $effect(() => this.syncLink());
    $effect(() => this.runAnalyses());
    $effect(() => this.run.want(this.panel ?? undefined));
    $effect(() => this.completeShownPanel());
    $effect(() => this.persistWhenIdle());
    $effect(() => this.guardLeaving());
    $effect(() => this.publishTimings());
    $effect(() => this.openLinkedView());
  }

  /** A link's data, once loaded, opens on the link's panel, filters and settings (once: afterwards the report leads on as usual). */
  openLinkedView(): void {
    if (!this.straightToView || this.dataset.status !== 'loaded' || this.dataset.report === null) return;
    this.straightToView = false;
    this.screen = 'dashboard';
  }

  /** The document's language and title follow the chosen language. */
  followLanguage(): void {
    document.documentElement.lang = i18n.locale;
    document.title = i18n.t('app.name');
  }

  /** A link reproduces the view: language, settings, panel and mapping (never data). */
  syncLink(): void {
    const query = writeUrlState({
      settings: this.settings.value,
      lang: i18n.locale,
      panel: this.panel,
      mapping: this.dataset.labelMapping,
      demo: this.fromDemo,
    });
    if (query !== location.search) history.replaceState(history.state, '', query + location.hash);
    // Not while a restored dataset waits for its own view (it would be overwritten with the defaults).
    if (this.device.stored && (this.viewRestored || !this.dataset.restored)) saveView(query);
  }

  /** The analyses run whenever the loaded data or the settings they read change (not the currency shown). */
  runAnalyses(): void {
    const db = this.dataset.db;
    const mapped = this.dataset.mapped;
    const s = this.settings.analysed;
    // The panel on screen runs first (and a panel opened while the run goes, next: `run.want`);
    // changing panels does not start a run.
    const shown = untrack(() => this.panel) ?? undefined;
    if (this.dataset.status === 'loaded' && db && mapped) void this.run.run(db, s, mapped, shown);
    else this.run.clear();
  }

  /** The panel shown runs the part of its result a run left for when it is opened (a no-op for most). */
  completeShownPanel(): void {
    const id = this.panel ?? PANEL_IDS[0];
    if (id !== undefined && !this.run.loading && this.run.result?.pending?.includes(id)) void this.run.complete(id);
  }

  /**
   * A load's tables go to this device once the engine is idle: after the dashboard's first
   * run (it starts as soon as the data is loaded), or at once when nothing runs.
   */
  persistWhenIdle(): (() => void) | undefined {
    if (!this.device.saving || this.run.loading || this.dataset.status === 'loading') return undefined;
    const later = setTimeout(() => void this.device.persistPending(), 0);
    return () => clearTimeout(later);
  }

  /**
   * Until a load's data is written to this device, closing or reloading the tab loses it: the
   * browser asks first (its own question, and only after the user has interacted with the page).
   */
  guardLeaving(): (() => void) | undefined {
    if (!this.device.saving) return undefined;
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener('beforeunload', ask);
    return () => removeEventListener('beforeunload', ask);
  }

  /** Measured steps, read by the benchmark (test/bench) from the page. */
  publishTimings(): void {
    const { dataset, run, device } = this;
    const engine = dataset.engine.status === 'ready' ? dataset.engine.timings : null;
    const timings = {
      ...(engine ? { engine } : {}),
      ...(dataset.inspectMillis !== null ? { inspect: { total: dataset.inspectMillis } } : {}),
      ...(dataset.report && dataset.loadMillis !== null ? { ingest: { total: dataset.loadMillis, millis: dataset.report.millis, ...stepTotals(dataset.loadSteps) } } : {}),
      ...(run.result ? { dashboard: { total: run.result.millis, ...run.result.phases, deferred: run.deferredMillis } } : {}),
      ...(device.restoreMillis !== null ? { restore: device.restoreMillis } : {}),
      ...(device.saveMillis !== null ? { save: device.saveMillis } : {}),
      ...(device.saveSteps !== null ? { saveSteps: device.saveSteps } : {}),
    };
    Object.assign(window, { __loyaltyLens: { timings } });
  }

  /** On mount: data kept on this device comes back; `?demo` loads the demo. */
  start(): void {
    void this.device.start().then((restored) => restored && this.showStored());
    if (this.initial.demo) void this.loadDemo();
  }

  /** Data back from this device: its dashboard, with the view kept with it unless the link carries one. */
  showStored(): void {
    if (!new URLSearchParams(location.search).has('v')) {
      const stored = readUrlState(loadView() ?? '');
      this.settings.value = stored.settings;
      this.panel = stored.panel;
    }
    this.viewRestored = true;
    this.screen = 'dashboard';
  }

  reopenStored(): void {
    void this.device.reopen().then((ok) => ok && this.showStored());
  }

  forgetStored(): void {
    this.fromDemo = false;
    this.screen = 'ingest';
    void this.device.forget();
  }

  async loadDemo(): Promise<void> {
    this.demoError = null;
    try {
      const [sales, survey] = await Promise.all([fetchFile('./demo/sales.csv', 'sales.csv'), fetchFile('./demo/survey.csv', 'survey.csv')]);
      this.fromDemo = true;
      this.screen = 'ingest';
      await this.dataset.choose([sales], [survey]);
    } catch (e) {
      this.demoError = e instanceof Error ? e.message : String(e);
    }
  }

  chooseFiles(files: File[]): void {
    this.fromDemo = false;
    this.screen = 'ingest';
    void this.dataset.choose(files);
  }

  startOver(): void {
    this.fromDemo = false;
    this.screen = 'ingest';
    this.dataset.reset();
  }

  selectPanel(panel: PanelId): void {
    this.panel = panel;
  }

  /** The dashboard shows once a load is done and the user continued (or the data came back from this device). */
  get showsDashboard(): boolean {
    return this.screen === 'dashboard' && this.dataset.status === 'loaded' && this.dataset.report !== null;
  }
}

async function fetchFile(path: string, name: string): Promise<File> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new File([await res.blob()], name, { type: 'text/csv' });
}

/** A load's steps summed over its files (ms), and how each file's raw table was read, in file order. */
export function stepTotals(steps: readonly LoadStep[]): { steps: Record<LoadStep['step'], number>; via: RawReader[] } {
  const totals: Record<LoadStep['step'], number> = { prepare: 0, raw: 0, lines: 0, finish: 0 };
  const via: RawReader[] = [];
  for (const s of steps) {
    totals[s.step] += s.ms;
    if (s.step === 'raw') via.push(s.via);
  }
  return { steps: totals, via };
}
