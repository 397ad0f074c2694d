/**
 * Every panel's chart cards, built from a real dashboard run on the hand-made fixture: a
 * title and a subtitle in both languages with every placeholder filled, and a chart that
 * renders at the report's width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResult } from '../../../src/lib/analyses/index.ts';
import { PANEL_IDS } from '../../../src/lib/analyses/registry.ts';
import { cardById } from '../../../src/lib/charts/cards.ts';
import { PANEL_CARDS } from '../../../src/lib/charts/index.ts';
import { retentionCards } from '../../../src/lib/charts/retention.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { LOCALES, translate, type Locale } from '../../../src/lib/i18n/index.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { fixtureResults } from './fixture-results.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

let db: NodeDb;
let result: DashboardResult;
let withProfit: DashboardResult;

beforeAll(async () => {
  db = await NodeDb.open();
  ({ plain: result, withProfit } = await fixtureResults(db));
});
afterAll(async () => db.close());

const ctx = (locale: Locale, currency: string | null = null) => ({ locale, t: (k: string, p?: Readonly<Record<string, string | number>>) => translate(locale, k, p), currency });

describe('chart cards', () => {
  it('has an entry for every registered panel', () => {
    expect(Object.keys(PANEL_CARDS).sort()).toEqual([...PANEL_IDS].sort());
  });

  for (const id of PANEL_IDS) {
    for (const locale of LOCALES) {
      it(`${id} (${locale}): titled cards that render at 700 px`, () => {
        const cards = [result, withProfit].flatMap((r) => PANEL_CARDS[id](r, DEFAULT_SETTINGS, ctx(locale)));
        // The fixture has too few repeat customers for the lifetime-value models: that panel refuses and draws no card.
        if (id === 'clv' && result.clv.bgnbd !== null) expect(cards).toEqual([]);
        else expect(cards.length).toBeGreaterThan(0);
        for (const card of cards) {
          for (const text of [card.title, card.subtitle]) {
            expect(text.trim(), card.id).not.toBe('');
            // An unknown key comes back as itself; an unfilled placeholder stays in braces.
            expect(text, card.id).not.toMatch(/^(dash|chart)\.|\{\w+\}/);
          }
          const svg = renderSvg(card.build(700));
          expect(svg, card.id).toMatch(/<svg[^>]*width="700"/);
          expect(svg, card.id).not.toContain('chart.noData');
        }
      });
    }
  }

  it('titles state the finding with the page’s number formats', () => {
    const en = PANEL_CARDS.pareto(result, DEFAULT_SETTINGS, ctx('en', 'EUR'));
    const top = result.pareto.summary.top_share ?? NaN;
    expect(cardById(en, 'lorenz').title).toBe(`Top 20% of customers bring ${Math.round(top * 100)}% of value`);
    const tierA = result.pareto.tiers.find((r) => r.tier === 'A');
    expect(cardById(en, 'tier-value').title).toContain(new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(tierA?.aov ?? NaN));
  });

  it('the profit deciles say customers are ranked by profit', () => {
    expect(PANEL_CARDS.pareto(result, DEFAULT_SETTINGS, ctx('en')).map((c) => c.id)).not.toContain('profit-deciles');
    for (const locale of LOCALES) {
      const cards = PANEL_CARDS.pareto(withProfit, DEFAULT_SETTINGS, ctx(locale));
      expect(new Set(cards.map((c) => c.id)).size).toBe(cards.length);
      const axis = (id: string) => (describeSpec(cardById(cards, id).build(700)) as { scales: { x: { label: string } } }).scales.x.label;
      expect(axis('profit-deciles')).toBe(translate(locale, 'chart.pareto.decileAxisProfit'));
      expect(axis('deciles')).toBe(translate(locale, 'chart.pareto.decileAxis'));
    }
    expect(translate('en', 'chart.pareto.decileAxisProfit')).toMatch(/profit/);
    expect(translate('zh-CN', 'chart.pareto.decileAxisProfit')).toMatch(/利润/);
  });

  it('on revenue retention, the retention cards speak of revenue, not of customers buying', () => {
    const settings = { ...DEFAULT_SETTINGS, retentionMeasure: 'revenue' as const };
    // The note on a first cohort of customers from before the data starts speaks of customers; it has its own test.
    // The fixture's cohorts are tiny: taken as large here, so that the titles quote the curve.
    const large = { ...result.retention, curve: result.retention.curve.map((p) => ({ ...p, small: false })) };
    const plain = { ...result, retention: { ...large, firstCohort: { ...result.retention.firstCohort, existing: false } } };
    const words = { en: { no: /customer|buying/i, yes: /revenue/ }, 'zh-CN': { no: /客户/, yes: /收入/ } } as const;
    for (const mode of ['on', 'on_or_after'] as const) {
      for (const locale of LOCALES) {
        const cards = retentionCards(plain, { ...settings, retentionMode: mode }, ctx(locale));
        for (const id of ['cohorts', 'retention-curves']) {
          const card = cardById(cards, id);
          for (const text of [card.title, card.subtitle]) {
            expect(text, `${locale} ${id}`).not.toMatch(words[locale].no);
            expect(text, `${locale} ${id}`).toMatch(words[locale].yes);
          }
          const spec = describeSpec(card.build(700)) as { scales: { y: { label: string | null }; color: { label?: string } } };
          const label = id === 'cohorts' ? spec.scales.color.label : spec.scales.y.label;
          expect(label).toBe(translate(locale, 'chart.retention.revenueRetention'));
        }
      }
    }
    // On customers the same cards keep their customer wording.
    expect(cardById(retentionCards({ ...result, retention: large }, DEFAULT_SETTINGS, ctx('en')), 'retention-curves').title).toMatch(/customers/);
  });

  it('draws the selected cohorts beside the average', () => {
    const [, curves] = retentionCards(result, DEFAULT_SETTINGS, ctx('en'), { selected: ['2024-01-01'] });
    const none = retentionCards(result, DEFAULT_SETTINGS, ctx('en'), { selected: [] })[1];
    expect(renderSvg(curves?.build(700) ?? { marks: [] })).not.toBe(renderSvg(none?.build(700) ?? { marks: [] }));
  });

  it('says when the first cohort is taken for customers from before the data starts, and why, in both languages', () => {
    const fc = { cohort_label: '2010-12', size: 885, next_median: 417, by_rule: true, existing: true };
    const withRule = { ...result, retention: { ...result.retention, firstCohort: fc } };
    const en = cardById(retentionCards(withRule, DEFAULT_SETTINGS, ctx('en')), 'cohorts').subtitle;
    expect(en).toContain('Cohort 2010-12 (marked *) holds 885 customers, more than twice the 417');
    const zh = cardById(retentionCards(withRule, DEFAULT_SETTINGS, ctx('zh-CN')), 'cohorts').subtitle;
    expect(zh).toContain('同期群 2010-12（标 *）有 885 位客户');
    const asNew = { ...result, retention: { ...result.retention, firstCohort: { ...fc, existing: false } } };
    expect(cardById(retentionCards(asNew, DEFAULT_SETTINGS, ctx('en')), 'cohorts').subtitle).not.toContain('2010-12');
  });
});

