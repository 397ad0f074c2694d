/**
 * The report prints every chart at 700 px (A4): each chart, converted as the report converts
 * it, must lie whole inside its declared width: its plot, its legend and every label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResult } from '../../../src/lib/analyses/index.ts';
import { PANEL_IDS } from '../../../src/lib/analyses/registry.ts';
import { PANEL_CARDS } from '../../../src/lib/charts/index.ts';
import { cohortHeatmapChart, type CohortCell } from '../../../src/lib/charts/retention.ts';
import type { PlotOptions } from '@observablehq/plot';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { figureToSvgElement } from '../../../src/lib/export/image.ts';
import { LOCALES, translate, type Locale } from '../../../src/lib/i18n/index.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { fixtureResults } from '../charts/fixture-results.ts';
import { chartContext } from '../charts/context.ts';
import { overflows } from '../charts/extent.ts';
import { describeSpec } from '../charts/spec.ts';
import { renderElement } from '../charts/svg.ts';

const WIDTH = 700;

function fit(options: PlotOptions): { width: number; overflows: ReturnType<typeof overflows> } {
  const svg = figureToSvgElement(renderElement(options));
  return { width: svg.width, overflows: overflows(svg.element, svg.width) };
}

/** A triangle of monthly cohorts: 2023-01 … (months) with every period up to the as-of month. */
export function cohortMatrix(months: number, start = Date.UTC(2023, 0, 1)): CohortCell[] {
  const cells: CohortCell[] = [];
  for (let c = 0; c < months; c++) {
    const d = new Date(start);
    d.setUTCMonth(d.getUTCMonth() + c);
    const cohort = d.toISOString().slice(0, 10);
    for (let k = 0; k < months - c; k++) {
      const active = k === 0 ? 100 : Math.max(1, 40 - k);
      cells.push({ cohort, cohort_label: cohort.slice(0, 7), k, size: 100, active, rate: active / 100, revenue_rate: active / 90, complete: k < months - c - 1 });
    }
  }
  return cells;
}

let db: NodeDb;
let results: DashboardResult[];
beforeAll(async () => {
  db = await NodeDb.open();
  const r = await fixtureResults(db);
  results = [r.plain, r.withProfit];
});
afterAll(async () => db.close());

describe('report charts at A4 width', () => {
  for (const locale of LOCALES) {
    it(`every card of every panel fits 700 px (${locale})`, () => {
      const ctx = { locale: locale as Locale, t: (k: string, p?: Readonly<Record<string, string | number>>) => translate(locale, k, p), currency: 'EUR' };
      for (const id of PANEL_IDS) {
        for (const card of results.flatMap((r) => PANEL_CARDS[id](r, DEFAULT_SETTINGS, ctx))) {
          const f = fit(card.build(WIDTH));
          expect([card.id, f.width]).toEqual([card.id, WIDTH]);
          expect([card.id, f.overflows]).toEqual([card.id, []]);
        }
      }
    });
  }

  for (const measure of ['customers', 'revenue'] as const) {
    it(`a 24-month cohort heatmap fits whole, legend included (${measure})`, () => {
      for (const locale of LOCALES) {
        const f = fit(cohortHeatmapChart(cohortMatrix(24), chartContext(locale, WIDTH), { period: 'month', measure }));
        expect(f.width).toBe(WIDTH);
        expect(f.overflows).toEqual([]);
      }
    });
  }

  it('a 24-month cohort heatmap labels every cell (smaller type where 10 px does not fit)', () => {
    const cells = cohortMatrix(24);
    const spec = cohortHeatmapChart(cells, chartContext('en', WIDTH), { period: 'month', measure: 'customers' });
    const d = describeSpec(spec) as { marks: { type: string; n: number; channels: Record<string, unknown> }[] };
    const text = d.marks.find((m) => m.type === 'Text');
    expect(text?.n).toBe(cells.length);
    const svg = renderElement(spec);
    const sizes = new Set([...svg.querySelectorAll('g[font-size] text')].map((t) => t.parentElement?.getAttribute('font-size')));
    expect([...sizes]).toEqual(['8']);
    // The walk reaches the cells: at 300 px most of them would stick out.
    expect(overflows(figureToSvgElement(svg).element, 300).length).toBeGreaterThan(100);
  });
});
