/**
 * The report file: one self-contained HTML page (inline SVG charts, KPIs with their
 * definitions, the aggregate tables of each panel, the load report and the settings used).
 * No script, no external resource: it opens offline from disk and prints on A4.
 * Every value from the data is written through `escapeHtml`; chart SVGs go through
 * `sanitizeSvg`.
 */
import type { PlotOptions } from '@observablehq/plot';
import type { DashboardResult } from '../analyses/index.ts';
import type { ChartCardSpec } from '../charts/cards.ts';
import { PANEL_REGISTRY, type PanelId } from '../analyses/registry.ts';
import { formatInteger, formatMoney, formatNumber, formatPercent, hasKey, type Locale } from '../i18n/index.ts';
import { todoLines } from '../analyses/todo.ts';
import type { LoadReport } from '../ingest/types.ts';
import { METRIC_IDS, type MetricId, type Metrics } from '../model/metrics.ts';
import { MAPPING_FIELDS } from '../model/schema.ts';
import type { Settings } from '../model/settings.ts';
import { REPORT_TABLE_ROWS, REPORT_TABLES, reportCell, type ReportColumnKind } from './report-tables.ts';

export type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value) as HTML: the five special characters become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A chart SVG as it may enter the report: the root must be an <svg>; scripts, foreign
 * objects, event-handler attributes and external references are removed.
 */
export function sanitizeSvg(svg: string): string {
  const trimmed = svg.replace(/^\s*(<\?xml[^>]*>)?\s*/, '');
  if (!/^<svg[\s>]/i.test(trimmed)) return '';
  return trimmed
    .replace(/<script[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<script[^>]*\/>/gi, '')
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
    .replace(/\s(?:xlink:)?href\s*=\s*("(?!#)[^"]*"|'(?!#)[^']*')/gi, '');
}

export interface ReportKpi {
  readonly id: MetricId;
  readonly label: string;
  /** As the page shows it. */
  readonly text: string;
  /** Unformatted (the page's data-value); null when undefined for the data. */
  readonly value: number | null;
  readonly definition: string;
}

export interface ReportChart {
  readonly title: string;
  readonly subtitle: string;
  readonly svg: string;
}

/** A panel's chart cards as the report prints them: drawn by `draw` (Plot options → SVG text) at `width`. */
export function reportCharts(cards: readonly ChartCardSpec[], draw: (options: PlotOptions) => string, width: number): ReportChart[] {
  return cards.map((card) => ({ title: card.title, subtitle: card.printSubtitle ?? card.subtitle, svg: draw(card.build(width)) }));
}

export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: right-aligned (numbers); else guessed from the cells. */
  readonly numeric?: readonly boolean[];
  /** Shown under the table (a cut table says how many rows it left out). */
  readonly note?: string;
}

export interface ReportPanel {
  readonly id: PanelId;
  readonly title: string;
  readonly kpis: readonly ReportKpi[];
  readonly charts: readonly ReportChart[];
  readonly tables: readonly ReportTable[];
}

export interface ReportDoc {
  readonly locale: Locale;
  readonly title: string;
  /** ISO date-time of generation. */
  readonly generated: string;
  readonly asOf: string | null;
  /** The "to do" lines (warnings worth acting on); shown first. */
  readonly todo: readonly string[];
  readonly panels: readonly ReportPanel[];
  /** Label / value pairs. */
  readonly settings: readonly (readonly [string, string])[];
  readonly mapping: readonly (readonly [string, string])[];
  readonly load: ReportTable;
  readonly rejected: ReportTable;
  readonly skipped: ReportTable;
  /** Only when the user asked for them. */
  readonly customerLists: readonly ReportTable[];
}

/** loyalty-report-2024-12-31.html (the as-of date; else the generation day). */
export function reportFileName(asOf: string | null, generated: Date = new Date()): string {
  return `loyalty-report-${asOf ?? generated.toISOString().slice(0, 10)}.html`;
}

// ------------------------------------------------------------------ model from the result

type Rows = readonly object[];

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function columnLabel(name: string, t: Translate): string {
  const key = `dash.col.${camel(name)}`;
  return hasKey(key) ? t(key) : name;
}

function cellText(locale: Locale, name: string, v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (/share|rate|retention/.test(name)) return formatPercent(locale, v);
    return Number.isInteger(v) ? formatInteger(locale, v) : formatNumber(locale, v);
  }
  if (typeof v === 'boolean') return v ? '✓' : '–';
  return String(v);
}

const NUMERIC_KINDS: readonly ReportColumnKind[] = ['int', 'percent', 'money', 'number'];

/**
 * A panel table as the report shows it: the columns of `REPORT_TABLES` (translated headings,
 * one number format per kind), its first `REPORT_TABLE_ROWS` rows and a note with the count.
 * A table without an entry there shows every field under its `dash.col.*` heading.
 */
export function panelTable(
  panel: PanelId,
  table: { readonly name: string; readonly title: string; readonly rows: readonly object[] },
  ctx: { readonly locale: Locale; readonly t: Translate; readonly currency: string | null },
): ReportTable {
  const { t } = ctx;
  const spec = REPORT_TABLES[`${panel}.${table.name}`];
  const shown = table.rows.slice(0, REPORT_TABLE_ROWS);
  const note =
    table.rows.length > shown.length ? t('rpt.truncated', { shown: formatInteger(ctx.locale, shown.length), total: formatInteger(ctx.locale, table.rows.length) }) : undefined;
  if (spec === undefined) return { ...tableOf(t(table.title), shown, ctx.locale, t), ...(note ? { note } : {}) };
  const rows = shown as readonly Readonly<Record<string, unknown>>[];
  const columns = spec.columns.filter((c) => !c.optional || table.rows.some((r) => (r as Record<string, unknown>)[c.key] != null));
  return {
    title: t(spec.title),
    columns: columns.map((c) => t(c.label)),
    rows: rows.map((r) => columns.map((c) => reportCell(c, r, ctx))),
    numeric: columns.map((c) => !c.text && NUMERIC_KINDS.includes(c.kind)),
    ...(note ? { note } : {}),
  };
}

/** Rows of plain objects as a table: every field a column, in the rows' own order. */
export function tableOf(title: string, rows: Rows, locale: Locale, t: Translate): ReportTable {
  const first = rows[0];
  const names = first ? Object.keys(first) : [];
  return {
    title,
    columns: names.map((n) => columnLabel(n, t)),
    rows: rows.map((row) => names.map((n) => cellText(locale, n, (row as Record<string, unknown>)[n]))),
  };
}

function settingsRows(s: Settings, asOf: string | null, t: Translate, locale: Locale): [string, string][] {
  const pct = (v: number) => formatPercent(locale, v, 0);
  const out: [string, string][] = [
    [t('dash.asOf'), s.asOf ?? `${asOf ?? '–'} (${t('dash.asOfDefault')})`],
    [t('dash.churnWindow'), String(s.churnWindowDays)],
    [t('rpt.setting.tiers'), `A ≤ ${pct(s.tierA)} · B ≤ ${pct(s.tierB)}`],
    [t('rpt.setting.topShare'), pct(s.topShare)],
    [t('rpt.setting.cohort'), t(`rpt.cohort.${s.cohortPeriod}`)],
    [t('dash.retention.clock'), t(`dash.retention.clock.${s.cohortClock}`)],
    [t('dash.retention.completeThrough', { units: t(`dash.retention.units.${s.cohortPeriod}`) }), s.completeThrough === null ? '–' : String(s.completeThrough)],
    [t('rpt.setting.retention'), `${t(`rpt.rmode.${s.retentionMode}`)} · ${t(`rpt.rmeasure.${s.retentionMeasure}`)}`],
    [t('rpt.setting.scale'), s.scoreScale ?? t('rpt.detected')],
    [t('rpt.setting.high'), s.highSatisfaction === null ? t('rpt.scaleDefault') : `≥ ${s.highSatisfaction}`],
    [t('rpt.setting.loyal'), `≥ ${s.loyalMinOrders}`],
    [t('dash.smallGroups.setting'), String(s.minGroupSize)],
  ];
  const f = s.filters;
  const dims = Object.entries(f.dims).filter(([, v]) => v && v.length > 0);
  const parts = [
    ...(f.from ? [`${t('dash.filters.from')} ${f.from}`] : []),
    ...(f.to ? [`${t('dash.filters.to')} ${f.to}`] : []),
    ...dims.map(([d, v]) => `${t(`field.${d}`)}: ${(v ?? []).join(', ')}`),
  ];
  out.push([t('dash.filters'), parts.length ? parts.join(' · ') : t('dash.filters.all')]);
  return out;
}

export interface ReportSource {
  readonly locale: Locale;
  readonly t: Translate;
  readonly result: DashboardResult;
  readonly metrics: Metrics;
  readonly settings: Settings;
  readonly report: Pick<LoadReport, 'files' | 'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped'>;
  /** Formatted KPI values as the page shows them. */
  readonly formatMetric: (id: MetricId, v: number | null) => string;
  /** ISO code of the amounts when known (money cells then show it). */
  readonly currency?: string | null;
  /** Charts per panel: each panel's chart cards drawn at print width (see ReportButton). */
  readonly charts: Readonly<Partial<Record<PanelId, readonly ReportChart[]>>>;
  readonly customerLists?: readonly ReportTable[];
  readonly generated?: Date;
}

/** Everything the report shows, built from the dashboard's result (pure). */
export function reportDoc(src: ReportSource): ReportDoc {
  const { t, locale, result, metrics } = src;
  const kpi = (id: MetricId): ReportKpi => {
    const def = t(`metric.${id}.def`);
    const num = t(`metric.${id}.num`);
    const den = t(`metric.${id}.den`);
    const ratio = num && den ? ` (${t('kpi.numerator')}: ${num}; ${t('kpi.denominator')}: ${den})` : '';
    return { id, label: t(`metric.${id}.label`), text: src.formatMetric(id, metrics[id]), value: metrics[id], definition: def + ratio };
  };
  const panels = PANEL_REGISTRY.map((panel) => ({
    id: panel.id,
    title: t(`dash.panel.${panel.id}`),
    kpis: panel.kpis.map(kpi),
    charts: src.charts[panel.id] ?? [],
    tables: panel
      .tables(result[panel.id] as never)
      .filter((x) => x.inReport !== false && x.rows.length > 0)
      .map((x) => panelTable(panel.id, x, { locale, t, currency: src.currency ?? null })),
  }));
  const rep = src.report;
  const int = (n: number) => formatInteger(locale, n);
  const load: ReportTable = {
    title: t('report.title'),
    columns: [t('report.file'), t('metric.rows_read.label'), t('metric.rows_kept.label'), t('metric.rows_rejected.label'), t('metric.rows_skipped.label')],
    rows: [
      ...rep.files.map((f) => [f.sheet ? `${f.name} · ${t('preview.sheet')}: ${f.sheet}` : f.name, int(f.rows_read), int(f.rows_kept), int(f.rows_rejected), int(f.rows_skipped)]),
      [t('report.total'), int(rep.rows_read), int(rep.rows_kept), int(rep.rows_rejected), int(rep.rows_skipped)],
    ],
  };
  const byReason = (kind: 'reject' | 'skip', pick: (f: ReportSource['report']['files'][number]) => Partial<Record<string, number>>) => {
    const sums = new Map<string, number>();
    for (const f of rep.files) for (const [k, n] of Object.entries(pick(f))) sums.set(k, (sums.get(k) ?? 0) + (n ?? 0));
    return [...sums].filter(([, n]) => n > 0).map(([k, n]) => [t(`${kind}.${k}`), int(n)]);
  };
  const sales = rep.files.find((f) => f.role === 'sales');
  const mapping: [string, string][] = sales
    ? MAPPING_FIELDS.flatMap((f) => {
        const col = sales.mapping[f];
        const label = col === undefined ? undefined : sales.labels[col];
        return label === undefined ? [] : [[t(`field.${f}`), label] as [string, string]];
      })
    : [];
  const generated = src.generated ?? new Date();
  return {
    locale,
    title: t('rpt.title'),
    generated: generated.toISOString(),
    asOf: result.asOf,
    todo: todoLines(result.warnings, src.settings.paceThreshold, {
      t,
      int,
      money: (v) => formatMoney(locale, v, src.currency ?? null),
      pct: (v) => formatPercent(locale, v, 0),
    }).map((l) => l.text),
    panels,
    settings: settingsRows(src.settings, result.asOf, t, locale),
    mapping,
    load,
    rejected: { title: t('report.rejectedTitle'), columns: [t('report.reason'), t('report.count')], rows: byReason('reject', (f) => f.rejectedByReason) },
    skipped: { title: t('report.skippedTitle'), columns: [t('report.reason'), t('report.count')], rows: byReason('skip', (f) => f.skippedByReason) },
    customerLists: src.customerLists ?? [],
  };
}

// ------------------------------------------------------------------ HTML

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
  color: #1F2933; margin: 0 auto; max-width: 820px; padding: 24px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 2px; } .muted { color: #52606D; font-size: 12px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; }
.kpi { border: 1px solid #D9DEE4; border-radius: 6px; padding: 8px 10px; break-inside: avoid; }
.kpi .v { font-size: 20px; font-weight: 650; white-space: nowrap; } .kpi .l { font-weight: 600; font-size: 13px; }
.kpi .d { font-size: 11px; color: #52606D; margin-top: 2px; }
figure { margin: 8px 0 14px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #D9DEE4; padding: 3px 6px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; } thead { display: table-header-group; } tr { break-inside: avoid; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
section.panel { break-before: page; page-break-before: always; }
dl.pairs { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.pairs dt { color: #52606D; } dl.pairs dd { margin: 0; overflow-wrap: anywhere; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } }
`;

const NUMERIC = /^[−\-+]?[\d.,\s%]+[%]?$|^[¥$€£]/;

function tableHtml(tb: ReportTable): string {
  if (tb.rows.length === 0) return '';
  const numeric = tb.numeric ?? tb.columns.map((_, k) => tb.rows.every((r) => NUMERIC.test(r[k] ?? '') || r[k] === '–'));
  const cls = (k: number) => (numeric[k] ? ' class="n"' : '');
  return `<table><caption>${escapeHtml(tb.title)}</caption><thead><tr>${tb.columns
    .map((c, k) => `<th${cls(k)}>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>${tb.rows
    .map((r) => `<tr>${r.map((c, k) => `<td${cls(k)}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>${tb.note ? `<p class="muted">${escapeHtml(tb.note)}</p>` : ''}`;
}

function pairsHtml(pairs: readonly (readonly [string, string])[]): string {
  return `<dl class="pairs">${pairs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function kpiHtml(k: ReportKpi): string {
  const value = k.value === null ? '' : String(k.value);
  return `<div class="kpi" data-metric="${escapeHtml(k.id)}" data-value="${escapeHtml(value)}"><div class="l">${escapeHtml(k.label)}</div><div class="v">${escapeHtml(
    k.text,
  )}</div><div class="d">${escapeHtml(k.definition)}</div></div>`;
}

function panelHtml(p: ReportPanel): string {
  return `<section class="panel" data-panel="${escapeHtml(p.id)}"><h2>${escapeHtml(p.title)}</h2>
<div class="kpis">${p.kpis.map(kpiHtml).join('')}</div>
${p.charts
  .map((c) => {
    const svg = sanitizeSvg(c.svg);
    return svg ? `<figure><h3>${escapeHtml(c.title)}</h3><p class="muted">${escapeHtml(c.subtitle)}</p>${svg}</figure>` : '';
  })
  .join('\n')}
${p.tables.map(tableHtml).join('\n')}</section>`;
}

/** The whole report as one HTML document (no script, no external reference). */
export function reportHtml(doc: ReportDoc, t: Translate): string {
  const lists = doc.customerLists.length
    ? `<section class="panel"><h2>${escapeHtml(t('rpt.customerLists'))}</h2>${doc.customerLists.map(tableHtml).join('\n')}</section>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(doc.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(doc.title)}${doc.asOf ? ` · ${escapeHtml(doc.asOf)}` : ''}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p class="muted">${escapeHtml(t('rpt.generated', { date: doc.generated.slice(0, 16).replace('T', ' ') }))} · ${escapeHtml(t('dash.asOf'))}: ${escapeHtml(
    doc.asOf ?? '–',
  )} · ${escapeHtml(t('rpt.localOnly'))}</p>
</header>
${doc.todo.length ? `<section class="todo"><h2>${escapeHtml(t('todo.title'))}</h2><ul>${doc.todo.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></section>` : ''}
<section>
<h2>${escapeHtml(t('rpt.settingsTitle'))}</h2>
${pairsHtml(doc.settings)}
${doc.mapping.length ? `<h3>${escapeHtml(t('rpt.mappingTitle'))}</h3>${pairsHtml(doc.mapping)}` : ''}
<h3>${escapeHtml(doc.load.title)}</h3>
${tableHtml({ ...doc.load, title: '' })}
${doc.rejected.rows.length ? tableHtml(doc.rejected) : `<p class="muted">${escapeHtml(t('report.rejectedNone'))}</p>`}
${tableHtml(doc.skipped)}
</section>
${doc.panels.map(panelHtml).join('\n')}
${lists}
</body>
</html>
`;
}

/** Every metric id must be in exactly one panel (the report shows all but the row counts there). */
export const REPORTED_METRICS: readonly MetricId[] = METRIC_IDS.filter((id) => !id.startsWith('rows_'));
