/**
 * Numbers, money, dates and durations as text, in the page's two languages: one module for
 * the KPIs, the tables, the chart axes and the report, so they never disagree.
 */
import type { Locale } from './i18n/index.ts';

/** What a null or non-finite number shows as. */
export const EMPTY = '–';

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

export function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function formatInteger(locale: Locale, v: number | null | undefined): string {
  return finite(v) ? nf(locale, { maximumFractionDigits: 0 }).format(v) : EMPTY;
}

export function formatNumber(locale: Locale, v: number | null | undefined, digits = 2): string {
  return finite(v) ? nf(locale, { maximumFractionDigits: digits }).format(v) : EMPTY;
}

/** Two decimals; with the currency symbol only when the currency is known. */
export function formatMoney(locale: Locale, v: number | null | undefined, currency?: string | null): string {
  if (!finite(v)) return EMPTY;
  if (currency) return nf(locale, { style: 'currency', currency, maximumFractionDigits: 2 }).format(v);
  return nf(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
}

/** A ratio (0.642) as a percent ("64.2%"). */
export function formatPercent(locale: Locale, v: number | null | undefined, digits = 1): string {
  if (!finite(v)) return EMPTY;
  return nf(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * One formatter per locale and kind: making an `Intl.DateTimeFormat` costs far more than
 * using one (a month axis formats every month of the data for each drawing; made per call,
 * that was ~0.5 s of the page's main thread during a first run at 1 M lines).
 */
function df(locale: Locale, kind: 'day' | 'month'): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, kind === 'day' ? { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' } : { year: 'numeric', month: 'short', timeZone: 'UTC' });
    dateFormats.set(key, f);
  }
  return f;
}

/** ISO date (YYYY-MM-DD, time ignored) → "Mar 5, 2024" / "2024年3月5日". Invalid text is returned as is. */
export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return EMPTY;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return df(locale, 'day').format(d);
}

/** "Jan 2024" (en) / "2024年1月" (zh-CN), read in UTC like every date of the charts. */
export function formatMonth(locale: Locale, d: Date): string {
  return df(locale, 'month').format(d);
}

/** Elapsed time: "850 ms", "1.3 s" / "850 毫秒", "1.3 秒". */
export function formatDuration(locale: Locale, ms: number | null | undefined): string {
  if (!finite(ms)) return EMPTY;
  if (ms < 1000) return nf(locale, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(ms);
  return nf(locale, { style: 'unit', unit: 'second', maximumFractionDigits: 1 }).format(ms / 1000);
}

export function formatBytes(locale: Locale, bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return nf(locale, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
}

/** Short axis ticks: 12,500 → "12.5K" (en) / "1.3万" (zh-CN). */
export function formatCompact(locale: Locale, v: number | null | undefined): string {
  if (!finite(v)) return EMPTY;
  return nf(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/**
 * From this size on a KPI is abbreviated: the first unit of the language's compact notation
 * (万 = 10⁴ in Chinese; K = 10³ in English), the same units as the chart axes.
 */
export const ABBREVIATE_FROM: Readonly<Record<Locale, number>> = { 'zh-CN': 10_000, en: 1_000 };

/**
 * A KPI's money or count, abbreviated like the axes once it reaches `ABBREVIATE_FROM`, with up
 * to 4 significant digits and 2 decimals (¥1,234,567.89 → "¥123.5万" / "CN¥1.23M"); below
 * that, the exact `formatMoney` / `formatInteger`. `abbreviated` says which was used, so that
 * the page can offer the exact value beside it.
 */
export function formatShort(
  locale: Locale,
  v: number | null | undefined,
  kind: 'money' | 'count',
  currency?: string | null,
): { readonly text: string; readonly abbreviated: boolean } {
  if (!finite(v)) return { text: EMPTY, abbreviated: false };
  if (Math.abs(v) < ABBREVIATE_FROM[locale]) {
    return { text: kind === 'money' ? formatMoney(locale, v, currency) : formatInteger(locale, v), abbreviated: false };
  }
  // roundingPriority (ES2023 Intl, in Node 20 and current browsers) is not in the configured lib.
  const options: Intl.NumberFormatOptions & { roundingPriority: 'lessPrecision' } = {
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 2,
    maximumSignificantDigits: 4,
    roundingPriority: 'lessPrecision',
    ...(kind === 'money' && currency ? { style: 'currency', currency } : {}),
  };
  return { text: nf(locale, options).format(v), abbreviated: true };
}

/** An error as one short line for a message in the page (its own text, at most 160 characters). */
export function errorDetail(e: unknown): string {
  return e instanceof Error ? e.message.slice(0, 160) : String(e);
}
