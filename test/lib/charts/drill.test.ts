import { describe, expect, it } from 'vitest';
import type { CustomerFilter } from '../../../src/lib/analyses/customer-list.ts';
import { drillHref, drillTitle, parseDrillHref } from '../../../src/lib/charts/drill.ts';
import { tierValueChart, type TierRow } from '../../../src/lib/charts/pareto.ts';
import { chartContext } from './context.ts';
import { renderSvg } from './svg.ts';

const FILTERS: [CustomerFilter, string][] = [
  [{}, 'all customers'],
  [{ tier: 'A' }, 'Tier A'],
  [{ quadrant: 'hostages' }, 'Hostages'],
  [{ segment: 'champions' }, 'Champions'],
  [{ rfm8Class: 'important_value' }, ''],
  [{ stage: 'decline' }, 'Decline'],
  [{ drill: { kind: 'active', active: false } }, 'lapsed customers'],
  [{ drill: { kind: 'month', month: '2024-03-01', newOnly: true } }, 'new customers in 2024-03'],
  [{ drill: { kind: 'decile', measure: 'profit', decile: 2 } }, 'profit decile 10–20%'],
  [{ drill: { kind: 'profitGroup', group: 'bottom20' } }, 'profit Bottom 20%'],
  [{ drill: { kind: 'repeat', repeat: true } }, 'repeat customers'],
  [{ drill: { kind: 'orderCount', orders: 10 } }, '10+ purchase orders'],
  [{ drill: { kind: 'daysToSecond', bin: 2 } }, 'second purchase after 14–29 days'],
  [{ drill: { kind: 'firstDimension', dimension: 'region', value: null, repeat: false } }, 'Region of the first order: (blank) · one-time customers'],
  [{ drill: { kind: 'nextMonth', period: '2024-12', returning: true } }, 'buyers in 2024-12 who bought again in 2025-01'],
  [{ drill: { kind: 'cohort', cohort: '2024-01-01', k: 3 } }, 'cohort 2024-01-01, active in period 3'],
  [{ drill: { kind: 'cohort', cohort: '2024-01-01' } }, 'cohort 2024-01-01'],
  [{ drill: { kind: 'level', level: 4 } }, 'satisfaction score 4'],
  [{ drill: { kind: 'satisfactionGroup', group: 'top_box' } }, 'Completely satisfied (top box)'],
  [{ drill: { kind: 'rfmCell', r: 5, f: 1 } }, 'R score 5, F score 1'],
  [{ drill: { kind: 'migration', from: 'none', to: 'exploration' } }, 'not yet a customer → Exploration'],
  [{ drill: { kind: 'returning' } }, 'returning customers (lost, then back)'],
  [{ drill: { kind: 'newInPeriod' } }, 'new customers of the last 90 days'],
  [{ drill: { kind: 'composition', dimension: 'category', value: null, other: true, grouping: 'tier', group: 'B' } }, 'Category (other values) · Tier B'],
  [{ drill: { kind: 'newReturning', month: '2024-05-01', isNew: false } }, 'returning customers buying in 2024-05'],
  [{ drill: { kind: 'keyClass', keyClass: 'red' } }, 'Red face'],
  [{ drill: { kind: 'activeAt', date: '2024-04-30', active: true } }, 'active on 2024-04-30 (a purchase in the 180 days up to it)'],
  [{ drill: { kind: 'activeAt', date: '2024-04-30', active: false } }, 'lapsed on 2024-04-30 (customers by then, no purchase in the 180 days up to it)'],
  [{ drill: { kind: 'stageAt', date: '2024-03-31', stage: 'lost' } }, 'Lost on 2024-03-31'],
  [{ drill: { kind: 'km', day: 36, part: 'atRisk' } }, 'still at risk on day 36 (no second purchase before it, followed at least that long)'],
  [{ drill: { kind: 'km', day: 36, part: 'events' } }, 'second purchase on day 36'],
  [{ drill: { kind: 'topRank', rank: 3 } }, 'the top 3 customers by value'],
  [{ drill: { kind: 'clvBin', measure: 'pAlive', bin: 9, from: 0.9, to: 1 } }, 'P(alive) 0.9–1'],
  [{ drill: { kind: 'clvBin', measure: 'clv', bin: 19, from: 47.5, to: null } }, 'lifetime value ≥ 47.5'],
  [{ tier: 'B', drill: { kind: 'repeat', repeat: false } }, 'Tier B · one-time customers'],
];

describe('customer list links and headings', () => {
  it('a mark link carries its filter and nothing else reads as one', () => {
    for (const [f] of FILTERS) expect(parseDrillHref(drillHref(f))).toEqual(f);
    expect(parseDrillHref('#panel=pareto')).toBeNull();
    expect(parseDrillHref('#drill=%7Bnot json')).toBeNull();
    expect(parseDrillHref('#drill=%5B1%5D')).toBeNull();
    expect(parseDrillHref(null)).toBeNull();
  });

  it('names every selection in both languages, with no message missing', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const { t } = chartContext(locale);
      for (const [f, en] of FILTERS) {
        const title = drillTitle(f, t, 90, 180);
        expect(title, JSON.stringify(f)).not.toMatch(/\{\w+\}/);
        if (locale === 'en' && en !== '') expect(title).toBe(en);
      }
    }
  });

  it('marks link to their customers only when the chart context allows it', () => {
    const tiers = [
      { tier: 'A', customers: 2, value: 80, orders: 6, aov: 80 / 6, repurchase_rate: 1 },
      { tier: 'B', customers: 3, value: 20, orders: 3, aov: 20 / 3, repurchase_rate: 0 },
    ] as TierRow[];
    const plain = renderSvg(tierValueChart(tiers, chartContext('en', 600)));
    expect(plain).not.toContain('#drill=');
    const linked = renderSvg(tierValueChart(tiers, { ...chartContext('en', 600), drill: true }));
    const hrefs = [...linked.matchAll(/href="([^"]+)"/g)].map((m) => parseDrillHref(m[1]?.replaceAll('&quot;', '"') ?? null));
    expect(hrefs).toEqual([{ tier: 'A' }, { tier: 'B' }]);
  });
});
