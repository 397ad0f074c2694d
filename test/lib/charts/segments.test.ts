import { describe, expect, it } from 'vitest';
import type { RfmSegment } from '../../../src/lib/analyses/segments.ts';
import { groupShareChart, rfmGridChart, segmentEdges, segmentLabels, type GridCell, type GroupRow } from '../../../src/lib/charts/segments.ts';
import { chartContext } from './context.ts';
import { describeSpec } from './spec.ts';
import { renderSvg } from './svg.ts';

/** The segment rule of METRICS.md §7, written out here cell by cell. */
function segmentOf(r: number, f: number): RfmSegment {
  if (r === 5 && f >= 4) return 'champions';
  if ((r === 3 || r === 4) && f >= 4) return 'loyal';
  if (r >= 4 && (f === 2 || f === 3)) return 'potential_loyalists';
  if (r === 5 && f === 1) return 'new';
  if (r === 4 && f === 1) return 'promising';
  if (r === 3 && f === 3) return 'need_attention';
  if (r === 3) return 'about_to_sleep';
  if (f === 5) return 'cant_lose';
  if (f >= 3) return 'at_risk';
  return 'hibernating';
}

// Customers per cell: r × f (so cell (5, 5) has 25, the most); 325 customers in all.
const grid: GridCell[] = [];
for (let r = 5; r >= 1; r--) {
  for (let f = 5; f >= 1; f--) grid.push({ r_score: r, f_score: f, segment: segmentOf(r, f), customers: r * f, avg_m: 10 * f, revenue_share: (r * f) / 225, avg_recency: 10 * (6 - r) });
}

describe('segments charts', () => {
  it('outlines each segment: the grid edge plus the sides between different segments, each once', () => {
    const edges = segmentEdges(grid);
    const key = (e: { x1: number; y1: number; x2: number; y2: number }) => `${e.x1},${e.y1}-${e.x2},${e.y2}`;
    expect(new Set(edges.map(key)).size).toBe(edges.length);
    // The outer frame: 20 unit sides.
    const outer = edges.filter((e) => [e.x1, e.x2].every((x) => x === 0.5) || [e.x1, e.x2].every((x) => x === 5.5) || [e.y1, e.y2].every((y) => y === 0.5) || [e.y1, e.y2].every((y) => y === 5.5));
    expect(outer).toHaveLength(20);
    // Champions (R 5, F 4–5) and loyal (R 3–4, F 4–5) share the sides at R 4.5 over F 3.5–5.5.
    expect(edges.map(key)).toContain('3.5,4.5-4.5,4.5');
    expect(edges.map(key)).toContain('4.5,4.5-5.5,4.5');
    // Inside champions (between F 4 and F 5 at R 5) there is no side.
    expect(edges.map(key)).not.toContain('4.5,4.5-4.5,5.5');
    // Inside hibernating (R 1–2, F 1–2): no side between its four cells.
    expect(edges.map(key)).not.toContain('1.5,0.5-1.5,1.5');
    expect(edges.map(key)).not.toContain('0.5,1.5-1.5,1.5');
    // Ten rectangles with 10 + 11 + ... sides: every label sits at its rectangle's top-left corner.
    const labels = segmentLabels(grid);
    expect(labels).toHaveLength(10);
    expect(labels.find((l) => l.segment === 'at_risk')).toEqual({ segment: 'at_risk', f: 2.5, r: 2.5 });
    expect(labels.find((l) => l.segment === 'loyal')).toEqual({ segment: 'loyal', f: 3.5, r: 4.5 });
  });

  it('draws the R × F grid with counts per cell (en, zh-CN)', async () => {
    const spec = rfmGridChart(grid, chartContext('en', 600));
    const d = describeSpec(spec) as { marks: { type: string; channels: Record<string, unknown> }[] };
    const text = d.marks.find((m) => m.type === 'Text');
    expect(text?.channels.text).toEqual(grid.map((c) => String(c.r_score * c.f_score)));
    const labels = d.marks.filter((m) => m.type === 'Text')[1]?.channels.text as string[];
    expect(labels).toContain('Can’t lose them');
    await expect(renderSvg(spec)).toMatchFileSnapshot('./__snapshots__/segments-grid.en.svg');
    const zh = rfmGridChart(grid, chartContext('zh-CN', 390));
    expect((describeSpec(zh) as { marks: { type: string; channels: Record<string, unknown> }[] }).marks.filter((m) => m.type === 'Text')[1]?.channels.text).toContain('不能失去');
    await expect(renderSvg(zh)).toMatchFileSnapshot('./__snapshots__/segments-grid.zh-CN.svg');
  });

  it('the grid keeps its cells square when drawn wider than it needs', () => {
    const spec = rfmGridChart(grid, chartContext('en', 1000)) as { width: number; marginLeft: number; marginRight: number; height: number };
    expect(spec.width).toBe(1000);
    expect(spec.width - spec.marginLeft - spec.marginRight).toBe(640 - 56 - 16);
  });

  it('puts each group’s customer share over its revenue share (en, zh-CN)', async () => {
    const rows: GroupRow[] = [
      { id: 'important_value', customers: 2, customer_share: 0.2, revenue: 60, revenue_share: 0.6 },
      { id: 'general_retain', customers: 8, customer_share: 0.8, revenue: 40, revenue_share: 0.4 },
    ];
    const name = (id: string) => (id === 'important_value' ? 'IV' : 'GR');
    const d = describeSpec(groupShareChart(rows, chartContext('en', 600), name)) as { marks: { type: string; channels: Record<string, unknown> }[] };
    const bars = d.marks.filter((m) => m.type === 'BarX');
    expect(bars).toHaveLength(2);
    expect(bars[0]?.channels.title).toEqual(['IV\n2 customers\nShare of customers: 20.0%\nShare of revenue: 60.0% · 60.00', 'GR\n8 customers\nShare of customers: 80.0%\nShare of revenue: 40.0% · 40.00']);
    // Each row is labelled with its customers at the end of its longer bar.
    const label = d.marks.find((m) => m.type === 'Text');
    expect(label?.channels.x).toEqual([0.6, 0.8]);
    expect(label?.channels.text).toEqual(['2', '8']);
    await expect(renderSvg(groupShareChart(rows, chartContext('en', 600), name))).toMatchFileSnapshot('./__snapshots__/segments-shares.en.svg');
    const zhName = (id: string) => (id === 'important_value' ? '重要价值客户' : '一般挽留客户');
    await expect(renderSvg(groupShareChart(rows, chartContext('zh-CN', 600), zhName))).toMatchFileSnapshot('./__snapshots__/segments-shares.zh-CN.svg');
  });
});
