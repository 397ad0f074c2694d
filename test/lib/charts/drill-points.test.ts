/**
 * The points of the activity line, the stage history, the Kaplan–Meier and Lorenz curves and
 * the bars of the lifetime-value histograms link to their customers' lists (charts/drill.ts)
 * when the chart may open lists, and the links carry exactly the aggregate drawn there.
 */
import { describe, expect, it } from 'vitest';
import type { CustomerFilter } from '../../../src/lib/analyses/customer-list.ts';
import { clvDistributionChart, pAliveChart } from '../../../src/lib/charts/clv.ts';
import { parseDrillHref } from '../../../src/lib/charts/drill.ts';
import { stageHistoryChart } from '../../../src/lib/charts/lifecycle.ts';
import { lorenzChart, lorenzSteps } from '../../../src/lib/charts/pareto.ts';
import { evenly, KM_POINTS, secondPurchaseCurveChart } from '../../../src/lib/charts/repurchase.ts';
import { activeLapsedChart } from '../../../src/lib/charts/retention.ts';
import type { PlotOptions } from '@observablehq/plot';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

function links(build: (drill: boolean) => PlotOptions): { plain: number; filters: (CustomerFilter | null)[] } {
  const plain = [...renderSvg(build(false)).matchAll(/#drill=/g)].length;
  const linked = renderSvg(build(true));
  const filters = [...linked.matchAll(/href="(#drill=[^"]+)"/g)].map((m) => parseDrillHref(m[1]?.replaceAll('&quot;', '"') ?? null));
  return { plain, filters };
}

const ctx = (drill: boolean) => ({ ...chartContext('en', 640), ...(drill ? { drill: true } : {}) });

describe('points and bins that open their customers', () => {
  it('activity: one link per band and sample with customers', () => {
    const rows = [
      { date: '2024-01-31', active: 3, lapsed: 0 },
      { date: '2024-02-29', active: 2, lapsed: 1 },
    ];
    const { plain, filters } = links((d) => activeLapsedChart(rows, ctx(d), 180));
    expect(plain).toBe(0);
    expect(filters).toEqual(
      expect.arrayContaining([
        { drill: { kind: 'activeAt', date: '2024-01-31', active: true } },
        { drill: { kind: 'activeAt', date: '2024-02-29', active: true } },
        { drill: { kind: 'activeAt', date: '2024-02-29', active: false } },
      ]),
    );
    expect(filters).toHaveLength(3);
  });

  it('stage history: one link per stage and date with customers', () => {
    const rows = [
      { date: '2024-01-31', lost: 0, exploration: 2, decline: 0, stability: 0, formation: 1 },
      { date: '2024-02-29', lost: 1, exploration: 1, decline: 0, stability: 0, formation: 1 },
    ];
    const { plain, filters } = links((d) => stageHistoryChart(rows, ctx(d)));
    expect(plain).toBe(0);
    expect(filters).toHaveLength(5);
    expect(filters).toContainEqual({ drill: { kind: 'stageAt', date: '2024-02-29', stage: 'lost' } });
  });

  it('Kaplan–Meier: at most KM_POINTS points, each opening those at risk there', () => {
    const km = Array.from({ length: 100 }, (_, i) => ({ day: i * 3, at_risk: 200 - i, cumulative: i / 200 }));
    const { plain, filters } = links((d) => secondPurchaseCurveChart(km, ctx(d)));
    expect(plain).toBe(0);
    expect(filters).toHaveLength(KM_POINTS);
    expect(filters[0]).toEqual({ drill: { kind: 'km', day: 0, part: 'atRisk' } });
    expect(filters.at(-1)).toEqual({ drill: { kind: 'km', day: 297, part: 'atRisk' } });
    expect(evenly([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('Lorenz: a point at each 5 % of customers opens the top customers up to it', () => {
    // 40 customers, a point per rank: the 5 % steps are ranks 2, 4, … 40.
    const curve = [{ rank: 0, customer_share: 0, value_share: 0 }, ...Array.from({ length: 40 }, (_, i) => ({ rank: i + 1, customer_share: (i + 1) / 40, value_share: Math.sqrt((i + 1) / 40) }))];
    expect(lorenzSteps(curve).map((p) => p.rank)).toEqual(Array.from({ length: 20 }, (_, k) => 2 * (k + 1)));
    const { plain, filters } = links((d) => lorenzChart(curve, ctx(d), { topShare: 0.2, topValueShare: 0.45, tierA: 0.8, tierB: 0.95 }));
    expect(plain).toBe(0);
    expect(filters).toHaveLength(20);
    expect(filters[0]).toEqual({ drill: { kind: 'topRank', rank: 2 } });
  });

  it('lifetime value: both parts of a P(alive) bar and each CLV bar open their bin', () => {
    const pAlive = [
      { from: 0, to: 0.1, customers: 2, one_time: 0 },
      { from: 0.9, to: 1, customers: 3, one_time: 2 },
    ];
    const p = links((d) => pAliveChart(pAlive, ctx(d)));
    expect(p.plain).toBe(0);
    expect(p.filters).toContainEqual({ drill: { kind: 'clvBin', measure: 'pAlive', bin: 1, from: 0.9, to: 1 } });
    expect(p.filters.filter((f) => f?.drill?.kind === 'clvBin' && f.drill.bin === 1)).toHaveLength(2);
    const bins = [
      { from: 0, to: 2.5, customers: 1, clv: 1 },
      { from: 2.5, to: null, customers: 2, clv: 90 },
    ];
    const c = links((d) => clvDistributionChart(bins, ctx(d)));
    expect(c.plain).toBe(0);
    expect(c.filters).toEqual([
      { drill: { kind: 'clvBin', measure: 'clv', bin: 0, from: 0, to: 2.5 } },
      { drill: { kind: 'clvBin', measure: 'clv', bin: 1, from: 2.5, to: null } },
    ]);
  });
});
