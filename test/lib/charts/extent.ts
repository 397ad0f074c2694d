/**
 * How far an SVG's drawing reaches horizontally, read from its attributes: every element's
 * x (x1, x2, cx ± r, x + width), text by its estimated rendered width and anchor, offset by
 * the translations of its groups and nested svgs. linkedom lays nothing out, so text is
 * measured the way the charts estimate label widths (`labelWidth`).
 */
import { labelWidth } from '../../../src/lib/charts/theme.ts';

export interface Overflow {
  readonly tag: string;
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

function num(el: Element, name: string): number {
  const v = Number.parseFloat(el.getAttribute(name) ?? '');
  return Number.isFinite(v) ? v : 0;
}

function translateX(el: Element): number {
  const m = /translate\(\s*(-?[\d.e+-]+)/.exec(el.getAttribute('transform') ?? '');
  return m ? Number(m[1]) : 0;
}

function inherited(el: Element, name: string, fallback: string): string {
  for (let e: Element | null = el; e !== null; e = e.parentElement) {
    const v = e.getAttribute(name);
    if (v !== null) return v;
  }
  return fallback;
}

/** Elements whose horizontal extent leaves [0, width]. */
export function overflows(root: Element, width: number, slack = 1): Overflow[] {
  const out: Overflow[] = [];
  const visit = (el: Element, offset: number): void => {
    const tag = el.localName;
    const at = offset + translateX(el) + (tag === 'svg' && el !== root ? num(el, 'x') : 0);
    const spans: [number, number][] = [];
    if (tag === 'text') {
      const lines = [...el.children].filter((c) => c.localName === 'tspan');
      const texts = lines.length > 0 ? lines.map((l) => l.textContent ?? '') : [el.textContent ?? ''];
      const px = Number.parseFloat(inherited(el, 'font-size', '12')) || 12;
      const w = Math.max(...texts.map((s) => labelWidth(s, px)));
      const x = at + num(el, 'x') + num(el, 'dx');
      const anchor = inherited(el, 'text-anchor', 'start');
      spans.push(anchor === 'middle' ? [x - w / 2, x + w / 2] : anchor === 'end' ? [x - w, x] : [x, x + w]);
    } else if (tag === 'rect' || tag === 'image') {
      const x = at + num(el, 'x');
      spans.push([x, x + num(el, 'width')]);
    } else if (tag === 'line') {
      spans.push([at + num(el, 'x1'), at + num(el, 'x2')]);
    } else if (tag === 'circle') {
      spans.push([at + num(el, 'cx') - num(el, 'r'), at + num(el, 'cx') + num(el, 'r')]);
    }
    for (const [a, b] of spans) {
      const from = Math.min(a, b);
      const to = Math.max(a, b);
      if (from < -slack || to > width + slack) out.push({ tag, text: (el.textContent ?? '').slice(0, 40), from: Math.round(from), to: Math.round(to) });
    }
    if (tag === 'text') return;
    for (const child of el.children) visit(child, at);
  };
  visit(root, 0);
  return out;
}
