/**
 * A run can take the panel on screen first (`RunOptions.first`): after the canonical tables
 * and the panels whose tables it reads (`needs`) or whose numbers its view shows (`shows`).
 * The result must not depend on the order, and every panel must run with only those before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { DASHBOARD_PHASES, metricsOf, phaseOrder, shownBy, shownWith, runDashboard, withFresh, ViewResults, type DashboardPhase, type DashboardResult, type PartialRun } from '../../../src/lib/analyses/index.ts';
import { PANEL_IDS, PANEL_REGISTRY, type PanelId } from '../../../src/lib/analyses/registry.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { loadLines, loadSurvey } from './fixture.ts';
import { PassThroughDb } from '../ingest/pass-through-db.ts';
import type { SqlQuery } from '../../../src/lib/db/sql.ts';

const MAPPED: Mapped = { category: true, region: true, channel: false, order: true };
const SETTINGS: Settings = { ...DEFAULT_SETTINGS, firstCohort: 'new' };
const FILTERED: Settings = { ...SETTINGS, filters: { ...SETTINGS.filters, dims: { region: ['N', 'S'] } } };

/** A result without what varies from run to run (its timings). */
function comparable(r: DashboardResult): Omit<DashboardResult, 'millis' | 'phases'> {
  const { millis: _millis, phases: _phases, ...rest } = r;
  return rest;
}

describe('phaseOrder', () => {
  it('is the registry order without a first panel, or with the first one', () => {
    expect(phaseOrder()).toEqual(DASHBOARD_PHASES);
    expect(phaseOrder('overview')).toEqual(DASHBOARD_PHASES);
  });

  it('puts the first panel right after the canonical tables and its needs, the others in registry order', () => {
    expect(phaseOrder('clv')).toEqual(['canonical', 'clv', ...PANEL_IDS.filter((p) => p !== 'clv')]);
    expect(phaseOrder('warnings')).toEqual(['canonical', 'segments', 'warnings', ...PANEL_IDS.filter((p) => p !== 'segments' && p !== 'warnings')]);
    for (const id of PANEL_IDS) {
      const order = phaseOrder(id);
      const panel = PANEL_REGISTRY.find((p) => p.id === id);
      expect([...order].sort()).toEqual([...DASHBOARD_PHASES].sort());
      expect(order.indexOf(id)).toBe(1 + (panel?.needs?.length ?? 0) + (panel?.shows?.length ?? 0));
    }
  });

  it('runs the panels a view shows before it: the repurchase view shows the overview\'s orders and customers', () => {
    expect(phaseOrder('repurchase')).toEqual(['canonical', 'overview', 'repurchase', ...PANEL_IDS.filter((p) => p !== 'overview' && p !== 'repurchase')]);
    expect(phaseOrder('retention').slice(0, 3)).toEqual(['canonical', 'overview', 'retention']);
    expect(shownBy('repurchase')).toEqual(['overview', 'repurchase']);
    expect(shownBy('retention')).toEqual(['overview', 'retention']);
    expect(shownBy('clv')).toEqual(['clv']);
  });

  it('has every need and every shown panel registered before the panel that reads it', () => {
    for (const [k, panel] of PANEL_REGISTRY.entries()) {
      for (const need of [...(panel.needs ?? []), ...(panel.shows ?? [])]) {
        expect(PANEL_IDS.indexOf(need as PanelId), `${panel.id} reads ${need}`).toBeGreaterThanOrEqual(0);
        expect(PANEL_IDS.indexOf(need as PanelId), `${panel.id} reads ${need}`).toBeLessThan(k);
      }
    }
  });
});

describe('a run that takes a panel first', () => {
  let db: NodeDb;
  let inOrder: DashboardResult;
  let filtered: DashboardResult;
  beforeAll(async () => {
    db = await NodeDb.open();
    await loadLines(db);
    await loadSurvey(db, [{ customer: 'C01', score: 5 }, { customer: 'C02', score: 2 }, { customer: 'C06', score: 4 }, { order: 'D1', score: 3 }]);
    inOrder = await runDashboard(db, SETTINGS, MAPPED);
    filtered = await runDashboard(db, FILTERED, MAPPED);
  });
  afterAll(async () => {
    await db.close();
  });

  // Each panel taken first runs with only the canonical tables and what it reads before it: a
  // missing need fails its queries (the derived tables are made afresh by every run).
  it.each(PANEL_IDS)('gives the same result with %s first', async (id) => {
    const told: DashboardPhase[] = [];
    const r = await runDashboard(db, SETTINGS, MAPPED, (phase, share) => share === undefined && told.push(phase), { first: id });
    expect(told).toEqual(phaseOrder(id));
    expect(comparable(r)).toEqual(comparable(inOrder));
    const f = await runDashboard(db, FILTERED, MAPPED, undefined, { first: id });
    expect(comparable(f)).toEqual(comparable(filtered));
  });

  // The panel on screen, taken first, does not wait for tables it does not read.
  it.each([
    ['overview', { purchase_days: 'overview', ranked_value: 'pareto', ranked_profit: 'pareto' }],
    ['pareto', { purchase_days: 'overview', ranked_value: 'pareto', ranked_profit: 'pareto' }],
    ['satisfaction', { purchase_days: 'overview', ranked_value: 'pareto', ranked_profit: 'pareto' }],
    ['segments', { purchase_days: 'segments', ranked_value: 'segments', ranked_profit: 'segments' }],
  ] as const)('with %s first, builds purchase_days and the rankings in the first panel that reads them', async (first, expected) => {
    let phase: DashboardPhase | null = null;
    const built: Record<string, DashboardPhase | null> = {};
    const watching = new (class extends PassThroughDb {
      override exec(q: SqlQuery | string): Promise<void> {
        const created = /CREATE (?:OR REPLACE )?TABLE (?:"derived"\.)?"?(purchase_days|ranked_value|ranked_profit)\b/.exec(typeof q === 'string' ? q : q.text);
        if (created?.[1] !== undefined) built[created[1]] = phase;
        return super.exec(q);
      }
    })(db);
    const r = await runDashboard(watching, SETTINGS, MAPPED, (p, share) => share === undefined && (phase = p), { first });
    expect(built).toEqual(expected);
    expect(comparable(r)).toEqual(comparable(inOrder));
  });

  it('takes the panel wanted now next, after what it reads that has not run (a tab opened while the run goes)', async () => {
    const told: DashboardPhase[] = [];
    let wanted: PanelId | undefined;
    const r = await runDashboard(
      db,
      SETTINGS,
      MAPPED,
      (phase, share) => {
        if (share !== undefined) return;
        told.push(phase);
        if (phase === 'pareto') wanted = 'warnings';
      },
      { wanted: () => wanted },
    );
    // Pareto had started; then the warnings' need, the warnings, and the rest in registry order.
    expect(told).toEqual(['canonical', 'overview', 'pareto', 'segments', 'warnings', 'repurchase', 'retention', 'satisfaction', 'lifecycle', 'composition', 'key_customers', 'clv']);
    expect(comparable(r)).toEqual(comparable(inOrder));
    // A panel wanted that has run already changes nothing; neither does one wanted from the start that is `first`.
    const again: DashboardPhase[] = [];
    await runDashboard(db, SETTINGS, MAPPED, (phase, share) => share === undefined && again.push(phase), { first: 'clv', wanted: () => 'clv' });
    expect(again).toEqual(phaseOrder('clv'));
  });

  it('differs with the filter (the comparison above is not of two empty results)', () => {
    expect(filtered.overview).not.toEqual(inOrder.overview);
    expect(inOrder.overview.customers).toBe(10);
    expect(filtered.overview.customers).toBe(7);
  });

  it('tells each panel as it ends, with the panels so far and the ones it left a part of', async () => {
    const parts: PartialRun[] = [];
    const r = await runDashboard(db, FILTERED, MAPPED, undefined, { first: 'lifecycle', defer: true, onPanel: (p) => parts.push(p) });
    expect(parts.map((p) => Object.keys(p.panels).length)).toEqual(PANEL_IDS.map((_, k) => k + 1));
    expect(Object.keys(parts[1]?.panels ?? {})).toEqual(['segments', 'lifecycle']);
    expect(parts[1]?.pending).toEqual(['lifecycle']);
    const last = parts.at(-1);
    expect(last?.asOf).toBe(r.asOf);
    expect(last?.linesAfterAsOf).toBe(r.linesAfterAsOf);
    expect([...(last?.pending ?? [])].sort()).toEqual([...(r.pending ?? [])].sort());
    for (const id of PANEL_IDS) expect(last?.panels[id], id).toEqual(r[id]);
  });

  it('shows the previous result with the panels a run has finished (withFresh)', async () => {
    const parts: PartialRun[] = [];
    const previous = await runDashboard(db, SETTINGS, MAPPED, undefined, { defer: true });
    await runDashboard(db, FILTERED, MAPPED, undefined, { first: 'lifecycle', defer: true, onPanel: (p) => parts.push(p) });
    const part = parts[1] as PartialRun;
    const shown = withFresh(previous, part);
    expect(shown?.lifecycle).toEqual(part.panels.lifecycle);
    expect(shown?.segments).toEqual(part.panels.segments);
    expect(shown?.overview).toBe(previous.overview);
    expect(shown?.asOf).toBe(part.asOf);
    // lifecycle's history is left for later by the new run; composition is still the previous run's, pending as it was
    expect(shown?.pending).toEqual(PANEL_IDS.filter((id) => id === 'lifecycle' || (id !== 'segments' && (previous.pending ?? []).includes(id))));
    expect(withFresh(previous, null)).toBe(previous);
  });

  it('shows the first run\'s finished panels alone, their metrics and no other (withFresh without a previous result)', async () => {
    const parts: PartialRun[] = [];
    const r = await runDashboard(db, FILTERED, MAPPED, undefined, { first: 'lifecycle', defer: true, onPanel: (p) => parts.push(p) });
    const part = parts[1] as PartialRun;
    const shown = withFresh(null, part);
    expect(Object.keys(shown ?? {}).sort()).toEqual(['asOf', 'lifecycle', 'linesAfterAsOf', 'mapped', 'pending', 'segments']);
    expect(shown?.lifecycle).toEqual(part.panels.lifecycle);
    expect(shown?.pending).toEqual(['lifecycle']);
    expect(withFresh(null, { ...part, panels: {} })).toBeNull();
    // Drawable by a view only with its own panel and the panels it shows.
    expect(shownWith(shown as NonNullable<typeof shown>, ['segments', 'lifecycle'])).toBe(shown);
    expect(shownWith(shown as NonNullable<typeof shown>, ['lifecycle', 'overview'])).toBeNull();
    const report = { rows_read: 1, rows_kept: 1, rows_rejected: 0, rows_skipped: 0 };
    const partial = metricsOf(shown as NonNullable<typeof shown>, report);
    const whole = metricsOf(r, report);
    expect(partial.stage_exploration).toBe(whole.stage_exploration);
    expect(partial.stage_exploration).not.toBeNull();
    expect(whole.customers).not.toBeNull();
    expect(partial.customers).toBeNull();
  });

  it('gives each view its facts and the panels it reads, the same object until one of them changes (ViewResults)', async () => {
    const parts: PartialRun[] = [];
    await runDashboard(db, FILTERED, MAPPED, undefined, { first: 'repurchase', defer: true, onPanel: (p) => parts.push(p) });
    const views = new ViewResults();
    const shownAt = (i: number) => withFresh(null, parts[i] as PartialRun) as NonNullable<ReturnType<typeof withFresh>>;
    // parts[0]: overview; parts[1]: + repurchase (which shows the overview); parts[2]: + another panel.
    const first = views.of('repurchase', shownAt(1), ['repurchase', 'overview']);
    expect(Object.keys(first).sort()).toEqual(['asOf', 'linesAfterAsOf', 'mapped', 'overview', 'pending', 'repurchase']);
    expect(first.repurchase).toBe(parts[1]?.panels.repurchase);
    // Another panel done: the same object for the view that does not read it, a new one for one that does.
    expect(views.of('repurchase', shownAt(2), ['repurchase', 'overview'])).toBe(first);
    const overview = views.of('overview', shownAt(1), PANEL_IDS);
    const later = views.of('overview', shownAt(2), PANEL_IDS);
    expect(later).not.toBe(overview);
    expect(Object.keys(later).length).toBe(Object.keys(overview).length + 1);
    // A fact changing (the as-of date of another run) gives a new object.
    const other = { ...shownAt(2), asOf: '1999-01-01' };
    expect(views.of('repurchase', other, ['repurchase', 'overview'])).not.toBe(first);
    expect(views.of('repurchase', other, ['repurchase', 'overview']).asOf).toBe('1999-01-01');
  });
});
