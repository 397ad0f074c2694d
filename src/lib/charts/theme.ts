/**
 * The look every chart shares: palette, type, number formats and the base Plot options.
 * Colours are literal hex (not CSS variables) so that an exported SVG/PNG looks the same
 * outside the page.
 */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { formatInteger as formatInt } from '../format.ts';
import { DEFAULT_SETTINGS } from '../model/settings.ts';

export type Locale = 'zh-CN' | 'en';
export type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;

/** What every chart builder needs besides its rows. */
export interface ChartContext {
  readonly locale: Locale;
  readonly t: Translate;
  /** Width of the container in CSS pixels. */
  readonly width: number;
  /** ISO 4217 code of the amounts when known (money axes then show it); null = unknown. */
  readonly currency?: string | null;
  /** The minimum group size the tips name for a small group; absent = the default. */
  readonly minGroupSize?: number;
  /** Marks link to their customers' list (charts/drill.ts); only on a page with customer rows. */
  readonly drill?: boolean;
}

/** The fill of a small group's bar, dot or cell (light grey: present, but not to be read as a finding). */
export const SMALL_FILL = '#D5DAE0';

/** The tip line of a small group (fewer customers than the minimum group size). */
export function smallGroupTip(ctx: ChartContext): string {
  return ctx.t('chart.smallGroup', { min: formatInt(ctx.locale, ctx.minGroupSize ?? DEFAULT_SETTINGS.minGroupSize) });
}

/** Okabe–Ito: distinguishable under the common colour-vision deficiencies. */
export const OKABE_ITO = {
  blue: '#0072B2',
  sky: '#56B4E9',
  green: '#009E73',
  orange: '#E69F00',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  yellow: '#F0E442',
  black: '#000000',
} as const;

export const PALETTE = {
  primary: OKABE_ITO.blue,
  secondary: OKABE_ITO.orange,
  accent: OKABE_ITO.vermillion,
  positive: OKABE_ITO.green,
  muted: '#8C96A3',
  grid: '#D9DEE4',
  ink: '#1F2933',
  inkSoft: '#52606D',
  reference: '#9AA5B1',
  tiers: { A: OKABE_ITO.blue, B: OKABE_ITO.sky, C: '#B8C2CC' },
  quadrants: {
    loyalists: OKABE_ITO.green,
    mercenaries: OKABE_ITO.orange,
    hostages: OKABE_ITO.purple,
    defectors: OKABE_ITO.vermillion,
  },
  nps: { detractor: OKABE_ITO.vermillion, passive: '#B8C2CC', promoter: OKABE_ITO.green },
  /** Sequential scheme for heatmaps (single hue: readable in grey and for every deficiency). */
  sequential: 'blues',
} as const;

/** System fonts with CJK fallbacks: no web fonts are fetched. */
export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans", sans-serif';

export { EMPTY, formatCompact, formatInteger, formatMoney, formatMonth, formatNumber, formatPercent } from '../format.ts';
import { formatMonth, formatPercent } from '../format.ts';

/** Percent tick formatter for a 0–1 axis. */
export function percentTick(locale: Locale): (v: number) => string {
  return (v) => formatPercent(locale, v, 0);
}

/** Axis label for an amount: names the currency when known. */
export function moneyLabel(ctx: ChartContext, key = 'chart.axis.value'): string {
  const label = ctx.t(key);
  return ctx.currency ? `${label} (${ctx.currency})` : label;
}

/** ISO date (YYYY-MM-DD…) → Date at UTC midnight; Plot's time axes then show calendar days. */
export function isoDate(s: string): Date {
  return new Date(`${s.slice(0, 10)}T00:00:00Z`);
}

/**
 * Whole-number ticks for an axis of counts (customers, months) whose span is under 10;
 * undefined otherwise, when Plot's own ticks are whole numbers anyway. Plot would put
 * ticks at 0.5 on a count axis that only reaches 3.
 */
export function integerTicks(lo: number, hi: number): number[] | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo >= 10) return undefined;
  const step = hi - lo <= 5 ? 1 : 2;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(v);
  return ticks;
}

const MONTH_STEPS = [1, 2, 3, 6, 12] as const;

/**
 * A UTC time axis with one tick per month (or per 2, 3, 6, 12 months, whichever first
 * leaves room for every label), labelled for the locale. Plot's own time ticks are English
 * and fall on days or weeks when the data spans only a few months. `centred` puts each tick
 * in the middle of its month, under a bar that spans the month.
 */
export function monthAxis(
  ctx: ChartContext,
  dates: readonly Date[],
  opts: { readonly centred?: boolean; readonly plotWidth?: number } = {},
): { type: 'utc'; label: null; ticks: Date[]; tickFormat: (d: Date) => string } {
  const times = dates.map((d) => d.getTime()).filter(Number.isFinite);
  const ticks: Date[] = [];
  if (times.length > 0) {
    const lo = new Date(Math.min(...times));
    const hi = new Date(Math.max(...times));
    const first = lo.getUTCFullYear() * 12 + lo.getUTCMonth();
    const last = hi.getUTCFullYear() * 12 + hi.getUTCMonth();
    const starts: Date[] = [];
    for (let m = first; m <= last; m++) starts.push(new Date(Date.UTC(Math.floor(m / 12), m % 12, 1)));
    const width = opts.plotWidth ?? Math.max(280, ctx.width) - 80;
    const labelW = Math.max(...starts.map((d) => labelWidth(formatMonth(ctx.locale, d), 10))) + 12;
    const step = MONTH_STEPS.find((k) => Math.ceil(starts.length / k) * labelW <= width) ?? 12 * Math.ceil((starts.length / 12) * labelW / width);
    for (const d of starts) {
      if (d.getUTCMonth() % step !== 0 && step <= 12) continue;
      if (step > 12 && (d.getUTCFullYear() % (step / 12) !== 0 || d.getUTCMonth() !== 0)) continue;
      const tick = opts.centred ? new Date((d.getTime() + Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)) / 2) : d;
      if (opts.centred || (tick.getTime() >= lo.getTime() && tick.getTime() <= hi.getTime())) ticks.push(tick);
    }
  }
  return { type: 'utc', label: null, ticks, tickFormat: (d: Date) => formatMonth(ctx.locale, d) };
}

/** Rough rendered width of a label at 12 px: CJK and full-width characters are about twice as wide. */
export function labelWidth(text: string, px = 12): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? px : px * 0.6;
  return Math.ceil(w);
}

/** Chart heights follow the width a little, within limits that keep labels legible. */
export function chartHeight(width: number, ratio = 0.5, min = 220, max = 420): number {
  return Math.round(Math.min(max, Math.max(min, width * ratio)));
}

/** The options every chart starts from. */
export function baseOptions(ctx: ChartContext, height = chartHeight(ctx.width)): PlotOptions {
  return {
    width: Math.max(280, Math.round(ctx.width)),
    height,
    marginTop: 32,
    marginRight: 24,
    marginBottom: 40,
    marginLeft: 56,
    style: {
      fontFamily: FONT_STACK,
      fontSize: '12px',
      color: PALETTE.ink,
      background: 'transparent',
      overflow: 'visible',
    },
  };
}

/** The options of a chart that has nothing to show: a frame-centred note, no scales. */
export function emptyChart(ctx: ChartContext, height = 160): PlotOptions {
  return {
    ...baseOptions(ctx, height),
    marks: [
      Plot.text([ctx.t('chart.noData')], {
        frameAnchor: 'middle',
        fontSize: 13,
        fill: PALETTE.inkSoft,
      }),
    ],
  };
}
