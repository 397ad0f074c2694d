/** What the filter bar says about a selection, in words a chip or a button can show. */
import type { Filters } from './settings.ts';

/**
 * A dimension's selection as its chip reads it: every value (`all`), the one value chosen,
 * or the first value chosen and how many more.
 */
export type SelectionSummary =
  | { readonly kind: 'all' }
  | { readonly kind: 'one'; readonly value: string }
  | { readonly kind: 'more'; readonly value: string; readonly more: number };

export function selectionSummary(selected: readonly string[] | undefined): SelectionSummary {
  const first = selected?.[0];
  if (selected === undefined || first === undefined) return { kind: 'all' };
  return selected.length === 1 ? { kind: 'one', value: first } : { kind: 'more', value: first, more: selected.length - 1 };
}

/**
 * How many filters narrow the data: the date range (from, to or both) counts once, and each
 * dimension with a selection once. The currency is a choice of which lines, always made,
 * so it is not counted.
 */
export function activeFilterCount(filters: Pick<Filters, 'from' | 'to' | 'dims'>): number {
  const dated = filters.from !== null || filters.to !== null ? 1 : 0;
  return dated + Object.values(filters.dims).filter((v) => (v?.length ?? 0) > 0).length;
}
