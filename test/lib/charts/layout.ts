/**
 * Where a rendered chart's texts, lines, dots and cells fall, in the chart's pixels, read
 * from the SVG Plot drew (not from the spec), to test that labels stay clear of the marks
 * and inside their cells. Text widths are estimated like `labelWidth` (a CJK character
 * 1 em, any other 0.6 em), a line is 1 em tall around its baseline (0.8 above, 0.2 below).
 */
import { labelWidth } from '../../../src/lib/charts/theme.ts';

export interface Box {
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export interface Segment {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

function translate(el: Element | null): [number, number] {
  const m = /translate\(\s*(-?[\d.]+)[ ,]+(-?[\d.]+)\s*\)/.exec(el?.getAttribute('transform') ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function em(value: string | null, fontSize: number): number {
  if (value === null || value === '') return 0;
  return value.endsWith('em') ? Number(value.slice(0, -2)) * fontSize : Number(value);
}

function inherited(el: Element, name: string): string | null {
  for (let e: Element | null = el; e !== null; e = e.parentElement) {
    const v = e.getAttribute(name);
    if (v !== null) return v;
  }
  return null;
}

/** One box per line of every text of the chart's text marks. */
export function textLines(chart: Element, defaultFontSize = 12): Box[] {
  const out: Box[] = [];
  for (const g of chart.querySelectorAll('g[aria-label=text]')) {
    const [gx, gy] = translate(g);
    for (const text of g.querySelectorAll('text')) {
      const fs = Number(inherited(text, 'font-size') ?? defaultFontSize);
      const anchor = inherited(text, 'text-anchor') ?? 'middle';
      const [tx, ty] = translate(text);
      const x0 = gx + tx + em(text.getAttribute('x'), fs) + em(text.getAttribute('dx'), fs);
      const spans = [...text.querySelectorAll('tspan')];
      const lines: { text: string; baseline: number }[] = [];
      if (spans.length === 0) {
        lines.push({ text: text.textContent ?? '', baseline: gy + ty + em(text.getAttribute('y'), fs) + em(text.getAttribute('dy'), fs) });
      } else {
        let b = gy + ty;
        for (const s of spans) {
          if (s.getAttribute('y') !== null) b = gy + ty + em(s.getAttribute('y'), fs);
          b += em(s.getAttribute('dy'), fs);
          lines.push({ text: s.textContent ?? '', baseline: b });
        }
      }
      for (const l of lines) {
        if (l.text.trim() === '') continue;
        const w = labelWidth(l.text, fs);
        const left = anchor === 'start' ? x0 : anchor === 'end' ? x0 - w : x0 - w / 2;
        out.push({ text: l.text, left, right: left + w, top: l.baseline - 0.8 * fs, bottom: l.baseline + 0.2 * fs });
      }
    }
  }
  return out;
}

/** The straight pieces of the paths of the chart's line marks (M/L commands). */
export function lineSegments(chart: Element, filter: (g: Element) => boolean = () => true): Segment[] {
  const out: Segment[] = [];
  for (const g of chart.querySelectorAll('g[aria-label=line]')) {
    if (!filter(g)) continue;
    const [gx, gy] = translate(g);
    for (const p of g.querySelectorAll('path')) {
      const pts = [...(p.getAttribute('d') ?? '').matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => [gx + Number(m[1]), gy + Number(m[2])] as const);
      for (let i = 1; i < pts.length; i++) {
        const a = pts[i - 1];
        const b = pts[i];
        if (a && b) out.push({ x1: a[0], y1: a[1], x2: b[0], y2: b[1] });
      }
    }
  }
  return out;
}

/** Does the segment pass through the box (shrunk by `slack` px on each side)? */
export function crosses(s: Segment, box: Box, slack = 0): boolean {
  const l = box.left + slack;
  const r = box.right - slack;
  const t = box.top + slack;
  const b = box.bottom - slack;
  // Clip the segment to the box's x range, then compare its y range there.
  const dx = s.x2 - s.x1;
  let t0 = 0;
  let t1 = 1;
  if (dx === 0) {
    if (s.x1 < l || s.x1 > r) return false;
  } else {
    const a = (l - s.x1) / dx;
    const c = (r - s.x1) / dx;
    t0 = Math.max(t0, Math.min(a, c));
    t1 = Math.min(t1, Math.max(a, c));
    if (t0 > t1) return false;
  }
  const ya = s.y1 + (s.y2 - s.y1) * t0;
  const yb = s.y1 + (s.y2 - s.y1) * t1;
  return Math.max(ya, yb) >= t && Math.min(ya, yb) <= b;
}

export function overlaps(a: Omit<Box, 'text'>, b: Omit<Box, 'text'>): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** The rects of the chart's cell marks. */
export function cells(chart: Element): Omit<Box, 'text'>[] {
  return [...chart.querySelectorAll('g[aria-label=cell] rect')].map((r) => {
    const [gx, gy] = translate(r.parentElement);
    const x = gx + Number(r.getAttribute('x') ?? 0);
    const y = gy + Number(r.getAttribute('y') ?? 0);
    return { left: x, top: y, right: x + Number(r.getAttribute('width') ?? 0), bottom: y + Number(r.getAttribute('height') ?? 0) };
  });
}

/** The circles of the chart's dot marks. */
export function dots(chart: Element): Omit<Box, 'text'>[] {
  return [...chart.querySelectorAll('g[aria-label=dot] circle')].map((c) => {
    const [gx, gy] = translate(c.parentElement);
    const [tx, ty] = translate(c);
    const x = gx + tx + Number(c.getAttribute('cx') ?? 0);
    const y = gy + ty + Number(c.getAttribute('cy') ?? 0);
    const r = Number(c.getAttribute('r') ?? 3);
    return { left: x - r, right: x + r, top: y - r, bottom: y + r };
  });
}
