/**
 * The report's tables read like the page's: every column of every panel table has a heading
 * in both languages (no field names), one number format per kind of column, long tables
 * cut with a count and a pointer to the exports, and no text that needs a pointer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { PANEL_IDS, PANEL_REGISTRY } from '../../../src/lib/analyses/registry.ts';
import { PANEL_CARDS } from '../../../src/lib/charts/index.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { panelTable, reportCharts, reportDoc, reportHtml } from '../../../src/lib/export/report.ts';
import { REPORT_TABLE_ROWS, REPORT_TABLES } from '../../../src/lib/export/report-tables.ts';
import { LOCALES, formatMetric, hasKey, translate, type Locale } from '../../../src/lib/i18n/index.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { cdnowResult, fixtureResults } from '../charts/fixture-results.ts';

let db: NodeDb;
let results: DashboardResult[];
beforeAll(async () => {
  db = await NodeDb.open();
  const r = await fixtureResults(db);
  results = [r.plain, r.withProfit, await cdnowResult(db)];
});
afterAll(async () => db.close());

const ctx = (locale: Locale) => ({ locale, t: (k: string, p?: Readonly<Record<string, string | number>>) => translate(locale, k, p), currency: null });

function reportTables(result: DashboardResult) {
  return PANEL_REGISTRY.flatMap((panel) =>
    panel
      .tables(result[panel.id] as never)
      .filter((x) => x.inReport !== false && x.rows.length > 0)
      .map((x) => ({ panel: panel.id, table: x })),
  );
}

describe('report tables', () => {
  it('every panel table in the report has its columns declared, each with a heading in both languages', () => {
    const seen = new Set<string>();
    for (const result of results) {
      for (const { panel, table } of reportTables(result)) {
        const key = `${panel}.${table.name}`;
        seen.add(key);
        const spec = REPORT_TABLES[key];
        expect(spec, key).toBeDefined();
        const fields = Object.keys(table.rows[0] ?? {});
        for (const key2 of [spec?.title ?? '', ...(spec?.columns.map((c) => c.label) ?? [])]) expect(hasKey(key2), `${key}: ${key2}`).toBe(true);
        for (const c of spec?.columns ?? []) expect(fields, `${key}.${c.key}`).toContain(c.key);
        for (const locale of LOCALES) {
          const tb = panelTable(panel, table, ctx(locale));
          for (const heading of [tb.title, ...tb.columns]) {
            expect(heading, key).not.toBe('');
            expect(heading, key).not.toMatch(/^[a-z][a-z0-9_.]*$/);
            expect(fields, key).not.toContain(heading);
          }
          for (const row of tb.rows) for (const cell of row) expect(cell, key).not.toMatch(/^(dash|chart)\.|\{\w+\}|undefined|NaN/);
        }
      }
    }
    // The fixture results (the CDNOW sample for the lifetime-value models) between them reach every declared table.
    expect([...seen].sort()).toEqual(Object.keys(REPORT_TABLES).sort());
  });

  it('formats each kind of column one way: percentages with one decimal, money with two, counts whole', () => {
    const patterns = { percent: /^-?\d+\.\d%$/, money: /^-?[\d,]+\.\d\d$/, int: /^-?[\d,]+$/ } as const;
    let checked = 0;
    for (const result of results) {
      for (const { panel, table } of reportTables(result)) {
        const spec = REPORT_TABLES[`${panel}.${table.name}`];
        const tb = panelTable(panel, table, ctx('en'));
        const columns = spec?.columns.filter((c) => tb.columns.includes(translate('en', c.label))) ?? [];
        columns.forEach((c, k) => {
          const pattern = c.text ? undefined : patterns[c.kind as keyof typeof patterns];
          if (pattern === undefined) return;
          for (const row of tb.rows) {
            const cell = row[k] ?? '';
            if (cell !== '–') expect([`${panel}.${table.name}.${c.key}`, cell]).toEqual([`${panel}.${table.name}.${c.key}`, expect.stringMatching(pattern)]);
            checked += 1;
          }
          expect(tb.numeric?.[k], c.key).toBe(true);
        });
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('cuts a long table to its first rows and says how many there are and where the rest is', () => {
    const base = results[0]?.retention.cells[0];
    if (base === undefined) throw new Error('fixture has no cohort cell');
    const rows = Array.from({ length: 120 }, (_, k) => ({ ...base, k }));
    for (const locale of LOCALES) {
      const tb = panelTable('retention', { name: 'cohorts', title: 'dash.col.cohort', rows }, ctx(locale));
      expect(tb.rows).toHaveLength(REPORT_TABLE_ROWS);
      expect(tb.rows.map((r) => r[1])).toEqual(Array.from({ length: 50 }, (_, k) => String(k)));
      expect(tb.note).toBe(translate(locale, 'rpt.truncated', { shown: 50, total: 120 }));
      expect(tb.note).toMatch(locale === 'en' ? /120.*export/ : /120.*导出/);
    }
    const short = panelTable('retention', { name: 'cohorts', title: 'dash.col.cohort', rows: rows.slice(0, 50) }, ctx('en'));
    expect([short.rows.length, short.note]).toEqual([50, undefined]);
  });

  it('prints no text that asks to point at a chart (the file has no scripts)', () => {
    const result = results[1];
    if (result === undefined) throw new Error('no result');
    for (const locale of LOCALES) {
      const c = ctx(locale);
      const charts = Object.fromEntries(PANEL_IDS.map((id) => [id, reportCharts(PANEL_CARDS[id](result, DEFAULT_SETTINGS, c), () => '<svg></svg>', 700)]));
      const doc = reportDoc({
        locale,
        t: c.t,
        result,
        metrics: metricsOf(result, { rows_read: 0, rows_kept: 0, rows_rejected: 0, rows_skipped: 0 }),
        settings: DEFAULT_SETTINGS,
        report: { files: [], rows_read: 0, rows_kept: 0, rows_rejected: 0, rows_skipped: 0 },
        formatMetric: (id, v) => formatMetric(locale, id, v, null),
        charts,
      });
      const html = reportHtml(doc, c.t);
      expect(html).toContain(translate(locale, 'dash.pareto.tierAovSubtitlePrint'));
      expect(html).not.toMatch(/hover|mouse|tooltip|悬停|鼠标|指向/i);
    }
  });
});
