import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf, runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { escapeHtml, reportDoc, reportFileName, reportHtml, sanitizeSvg, type ReportSource } from '../../../src/lib/export/report.ts';
import { formatMetric, translate, type Locale } from '../../../src/lib/i18n/index.ts';
import type { LoadReport } from '../../../src/lib/ingest/types.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadSales, SALES_CSV, text } from './fixture.ts';

const HOSTILE = ['<script>alert(1)</script>', '" onmouseover=', "=cmd|' /C calc'!A0"];

describe('escapeHtml', () => {
  it('turns the five special characters into entities', () => {
    expect(HOSTILE.map(escapeHtml)).toEqual([
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      '&quot; onmouseover=',
      '=cmd|&#39; /C calc&#39;!A0',
    ]);
    expect(escapeHtml('A&B 华北')).toBe('A&amp;B 华北');
  });
});

describe('sanitizeSvg', () => {
  it('keeps a plain chart and removes scripts, handlers and external references', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>.a{fill:red}</style><rect onclick="x()" width="1"/>'
      + '<script>alert(1)</script><image href="http://evil/x.png"/><use href="#m"/><text>&lt;b&gt;</text></svg>';
    expect(sanitizeSvg(svg)).toBe('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>.a{fill:red}</style><rect width="1"/>'
      + '<image/><use href="#m"/><text>&lt;b&gt;</text></svg>');
    expect(sanitizeSvg('<div>not svg</div>')).toBe('');
  });
});

describe('reportFileName', () => {
  it('names the file after the as-of date', () => {
    expect(reportFileName('2024-12-31')).toBe('loyalty-report-2024-12-31.html');
    expect(reportFileName(null, new Date('2025-01-02T10:00:00Z'))).toBe('loyalty-report-2025-01-02.html');
  });
});

describe('reportHtml', () => {
  let db: NodeDb;
  let result: DashboardResult;
  let report: LoadReport;
  beforeAll(async () => {
    db = await NodeDb.open();
    // A product, a region and a file name carrying the hostile strings.
    const csv = SALES_CSV.replace('"Mug, large"', '"<script>alert(1)</script>"').replace('Lamp', '"="" onmouseover="').replaceAll('华东', "=cmd|' /C calc'!A0");
    report = await loadSales(db, text('<img src=x onerror=alert(1)>.csv', csv));
    result = await runDashboard(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  });
  afterAll(async () => {
    await db.close();
  });

  function source(locale: Locale, extra: Partial<ReportSource> = {}): ReportSource {
    return {
      locale,
      t: (k, p) => translate(locale, k, p),
      result,
      metrics: metricsOf(result, report),
      settings: { ...DEFAULT_SETTINGS, filters: { from: null, to: null, dims: { region: ["=cmd|' /C calc'!A0"] } } },
      report,
      formatMetric: (id, v) => formatMetric(locale, id, v, null),
      charts: { overview: [{ title: 'T <b>', subtitle: 's', svg: '<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>' }] },
      generated: new Date('2024-03-05T08:00:00Z'),
      ...extra,
    };
  }

  it('is one page without script, with every KPI value and definition, in the chosen language', () => {
    const html = reportHtml(reportDoc(source('en')), (k, p) => translate('en', k, p));
    expect(html).not.toMatch(/<script/i);
    // Hostile text stays text: no tag carries a handler or a source.
    expect(html).not.toMatch(/<[^>]*\s(on\w+|src|href)=/i);
    expect(html).toContain('T &lt;b&gt;');
    expect(html).toContain("=cmd|&#39; /C calc&#39;!A0");
    // customers: C001 and C003 (C002 has only a return order) → 2; revenue 120.5 + 9.99 − 15.25 + 1000 + 0 = 1115.24
    expect(html).toContain('data-metric="customers" data-value="2"');
    expect(html).toContain('data-metric="revenue" data-value="1115.24"');
    expect(html).toContain(translate('en', 'metric.gini.def'));
    expect(html).toContain('<svg viewBox="0 0 1 1"></svg>');
    expect(html).toContain('Generated 2024-03-05 08:00 (UTC)');
    expect(html).toContain('@page');
    expect(html).not.toContain('C001');
  });

  it('writes Chinese when the page is in Chinese', () => {
    const html = reportHtml(reportDoc(source('zh-CN')), (k, p) => translate('zh-CN', k, p));
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(translate('zh-CN', 'metric.customers.label'));
    expect(html).toContain(translate('zh-CN', 'rpt.title'));
  });

  it('opens with the to-do lines, before the settings, leaving out warnings without customers', () => {
    const s = result.warnings.summary;
    const warned = { ...result, warnings: { ...result.warnings, keyDecline: 2, summary: { ...s, churn_warning_customers: 3, churn_warning_value: 1234.5, pace_warning_customers: 0 } } };
    const doc = reportDoc(source('en', { result: warned }));
    expect(doc.todo).toHaveLength(2);
    expect(doc.todo[0]).toMatch(/^3 customers are overdue, \D*1,234\.50 a year at risk$/);
    expect(doc.todo[1]).toBe('2 key customers in decline');
    const html = reportHtml(doc, (k, p) => translate('en', k, p));
    expect(html.indexOf('<h2>To do</h2>')).toBeGreaterThan(0);
    expect(html.indexOf('<h2>To do</h2>')).toBeLessThan(html.indexOf('<h2>Settings and data</h2>'));
    const zh = reportDoc(source('zh-CN', { result: warned }));
    expect(zh.todo[1]).toBe('2 位关键客户处于衰退期');
    const none = reportDoc(source('en', { result: { ...warned, warnings: { ...warned.warnings, keyDecline: 0, summary: { ...s, churn_warning_customers: 0, pace_warning_customers: 0 } } } }));
    expect(none.todo).toEqual([]);
    expect(reportHtml(none, (k, p) => translate('en', k, p))).not.toContain('<h2>To do</h2>');
  });

  it('lists customers only when asked', () => {
    const lists = [{ title: 'All', columns: ['id'], rows: [['C001']] }];
    const html = reportHtml(reportDoc(source('en', { customerLists: lists })), (k, p) => translate('en', k, p));
    expect(html).toContain('<td>C001</td>');
  });

  it('shows the load report with its row accounting', () => {
    const doc = reportDoc(source('en'));
    expect(doc.load.rows.at(-1)).toEqual(['All files', '5', '5', '0', '0']);
    expect(doc.load.rows[0]?.[0]).toBe('<img src=x onerror=alert(1)>.csv');
    const html = reportHtml(doc, (k, p) => translate('en', k, p));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
  });

  it('names the worksheet a workbook was read from', () => {
    const fromSheet = { ...report, files: report.files.map((f) => ({ ...f, name: 'sales.xlsx', sheet: '销售<明细>' })) };
    const doc = reportDoc(source('zh-CN', { report: fromSheet }));
    expect(doc.load.rows[0]?.[0]).toBe('sales.xlsx · 工作表: 销售<明细>');
    expect(reportHtml(doc, (k, p) => translate('zh-CN', k, p))).toContain('sales.xlsx · 工作表: 销售&lt;明细&gt;');
  });
});
