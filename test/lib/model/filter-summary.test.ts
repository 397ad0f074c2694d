import { describe, expect, it } from 'vitest';
import { activeFilterCount, selectionSummary } from '../../../src/lib/model/filter-summary.ts';

describe('selectionSummary', () => {
  it('reads nothing chosen as all', () => {
    expect(selectionSummary(undefined)).toEqual({ kind: 'all' });
    expect(selectionSummary([])).toEqual({ kind: 'all' });
  });
  it('names the one value chosen', () => {
    expect(selectionSummary(['华东'])).toEqual({ kind: 'one', value: '华东' });
  });
  it('names the first value chosen and counts the others', () => {
    expect(selectionSummary(['华东', '华南', '西北'])).toEqual({ kind: 'more', value: '华东', more: 2 });
  });
});

describe('activeFilterCount', () => {
  it('is 0 without filters', () => {
    expect(activeFilterCount({ from: null, to: null, dims: {} })).toBe(0);
    expect(activeFilterCount({ from: null, to: null, dims: { region: [] } })).toBe(0);
  });
  it('counts the date range once, whichever ends are set', () => {
    expect(activeFilterCount({ from: '2024-01-01', to: null, dims: {} })).toBe(1);
    expect(activeFilterCount({ from: '2024-01-01', to: '2024-06-30', dims: {} })).toBe(1);
    expect(activeFilterCount({ from: null, to: '2024-06-30', dims: {} })).toBe(1);
  });
  it('counts each dimension with a selection once, however many values', () => {
    expect(activeFilterCount({ from: null, to: '2024-06-30', dims: { region: ['华东', '华南'], channel: ['线上'], category: [] } })).toBe(3);
  });
});
