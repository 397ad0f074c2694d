/**
 * A panel's chart cards as data: each card's finding (the title), what is plotted (the
 * subtitle) and its Plot options at a width. The page's views and the downloadable report
 * both draw from these, so a title on the page and in the report cannot differ.
 */
import type { PlotOptions } from '@observablehq/plot';
import { formatInteger, formatMoney, formatNumber, formatPercent } from '../format.ts';
import type { ChartContext, Locale, Translate } from './theme.ts';

export interface ChartCardSpec {
  /** Stable id: the card's testid (`chart-<id>`) and the stem of its exported files. */
  readonly id: string;
  readonly title: string;
  readonly subtitle: string;
  /** The subtitle in print, where a page's hints about pointing at the chart mean nothing. */
  readonly printSubtitle?: string;
  build(width: number): PlotOptions;
}

/** What the card texts need besides the result and the settings. */
export interface CardContext {
  readonly locale: Locale;
  readonly t: Translate;
  /** ISO code when the amounts name exactly one currency. */
  readonly currency: string | null;
  /** Marks link to their customers' list (charts/drill.ts); never in the report. */
  readonly drill?: boolean;
}

/** The number formats of card titles (percentages default to whole numbers there). */
export interface CardFormat {
  pct(v: number | null | undefined, digits?: number): string;
  int(v: number | null | undefined): string;
  num(v: number | null | undefined, digits?: number): string;
  money(v: number | null | undefined): string;
}

export function cardFormat(ctx: CardContext): CardFormat {
  return {
    pct: (v, digits = 0) => formatPercent(ctx.locale, v ?? null, digits),
    int: (v) => formatInteger(ctx.locale, v),
    num: (v, digits) => formatNumber(ctx.locale, v, digits),
    money: (v) => formatMoney(ctx.locale, v, ctx.currency),
  };
}

/** The chart context of a card drawn at `width`. */
export function chartContextOf(ctx: CardContext, width: number): ChartContext {
  return { locale: ctx.locale, t: ctx.t, width, currency: ctx.currency, ...(ctx.drill ? { drill: true } : {}) };
}

/** The card of `id` among `cards` (a view asks only for cards its result has). */
export function cardById(cards: readonly ChartCardSpec[], id: string): ChartCardSpec {
  const card = cards.find((c) => c.id === id);
  if (card === undefined) throw new Error(`no chart card ${id}`);
  return card;
}
