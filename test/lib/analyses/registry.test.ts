/**
 * The panel registry holds together what a panel needs everywhere: walking it, each panel
 * must have a METRICS.md entry for every KPI, its messages in both languages, a report
 * section, its tables in `analyze --json`, a view and a progress weight. A panel added
 * without one of these fails here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_PHASES, PHASE_WEIGHTS, metricsOf, runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { PANEL_IDS, PANEL_REGISTRY } from '../../../src/lib/analyses/registry.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { reportDoc } from '../../../src/lib/export/report.ts';
import { LOCALES, hasKey, translate } from '../../../src/lib/i18n/index.ts';
import { METRIC_IDS, type MetricId } from '../../../src/lib/model/metrics.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { PANELS } from '../../../src/lib/state/url.ts';
import { loadLines, loadSurvey } from './fixture.ts';

const METRICS_MD = readFileSync(new URL('../../../docs/METRICS.md', import.meta.url), 'utf8');
const VIEWS_TS = readFileSync(new URL('../../../src/views/registry.ts', import.meta.url), 'utf8');
const ROW_COUNTS: readonly MetricId[] = ['rows_read', 'rows_kept', 'rows_rejected', 'rows_skipped'];

let db: NodeDb;
let result: DashboardResult;

beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db);
  await loadSurvey(db, [{ customer: 'A', score: 5 }, { customer: 'B', score: 2 }]);
  result = await runDashboard(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
});
afterAll(async () => db.close());

describe('the panel registry', () => {
  it('is the list share links, the run and its phases use, in one order', () => {
    expect(PANELS).toEqual(PANEL_IDS);
    expect(DASHBOARD_PHASES).toEqual(['canonical', ...PANEL_IDS]);
    expect(new Set(PANEL_IDS).size).toBe(PANEL_IDS.length);
    for (const id of PANEL_IDS) expect(Object.keys(result)).toContain(id);
  });

  it('has progress weights that add up to a whole run', () => {
    const sum = DASHBOARD_PHASES.reduce((s, p) => s + PHASE_WEIGHTS[p], 0);
    expect(sum).toBeCloseTo(1, 9);
    for (const p of DASHBOARD_PHASES) expect(PHASE_WEIGHTS[p]).toBeGreaterThan(0);
  });

  it('holds every metric id exactly once (the row counts come from the load report)', () => {
    const holders = new Map<string, string[]>();
    for (const panel of PANEL_REGISTRY) {
      for (const id of Object.keys(panel.metrics(result[panel.id] as never))) holders.set(id, [...(holders.get(id) ?? []), panel.id]);
    }
    for (const id of METRIC_IDS) {
      if (ROW_COUNTS.includes(id)) expect(holders.get(id), id).toBeUndefined();
      else expect(holders.get(id), id).toHaveLength(1);
    }
    expect([...holders.keys()].filter((id) => !(METRIC_IDS as readonly string[]).includes(id))).toEqual([]);
    const m = metricsOf(result, { rows_read: 1, rows_kept: 1, rows_rejected: 0, rows_skipped: 0 });
    expect(Object.keys(m).sort()).toEqual([...METRIC_IDS].sort());
  });

  for (const panel of PANEL_REGISTRY) {
    describe(`panel ${panel.id}`, () => {
      it('defines every KPI in METRICS.md and in both languages', () => {
        expect(panel.kpis.length).toBeGreaterThan(0);
        for (const id of panel.kpis) {
          expect(METRICS_MD, `METRICS.md lacks ${id}`).toMatch(new RegExp('`' + id + '`'));
          for (const key of [`metric.${id}.label`, `metric.${id}.def`]) {
            expect(hasKey(key), key).toBe(true);
            for (const locale of LOCALES) expect(translate(locale, key), `${locale} ${key}`).not.toBe('');
          }
        }
      });

      it('has a tab name in both languages and a view', () => {
        for (const locale of LOCALES) expect(translate(locale, `dash.panel.${panel.id}`)).not.toBe(`dash.panel.${panel.id}`);
        expect(VIEWS_TS).toMatch(new RegExp(`\\n  ${panel.id}: \\(\\) => import\\(`));
      });

      it('has named tables, each with a titled report heading, and a report section with its KPIs', () => {
        const tables = panel.tables(result[panel.id] as never);
        expect(tables.length).toBeGreaterThan(0);
        for (const t of tables) {
          expect(t.name).toMatch(/^[a-z][a-z0-9_]*$/);
          expect(hasKey(t.title), t.title).toBe(true);
        }
        expect(new Set(tables.map((t) => t.name)).size).toBe(tables.length);
        const doc = reportDoc({
          locale: 'en',
          t: (k, p) => translate('en', k, p),
          result,
          metrics: metricsOf(result, { rows_read: 0, rows_kept: 0, rows_rejected: 0, rows_skipped: 0 }),
          settings: DEFAULT_SETTINGS,
          report: { files: [], rows_read: 0, rows_kept: 0, rows_rejected: 0, rows_skipped: 0 },
          formatMetric: (_id, v) => String(v),
          charts: {},
        });
        const section = doc.panels.find((p) => p.id === panel.id);
        expect(section?.kpis.map((k) => k.id)).toEqual(panel.kpis);
        const shown = tables.filter((t) => t.inReport !== false && t.rows.length > 0);
        expect(section?.tables).toHaveLength(shown.length);
      });
    });
  }
});
