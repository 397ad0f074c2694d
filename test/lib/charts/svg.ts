/**
 * Renders chart options to SVG text in Node (linkedom as Plot's document) for file
 * snapshots, the way Plot's own tests do: time zone pinned, numbers in attributes rounded
 * to 2 decimals, generated ids renumbered, Plot's constant stylesheets dropped, one
 * element per line so that a diff points at the mark that changed.
 */
process.env.TZ = 'UTC';

import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';
import { parseHTML } from 'linkedom';

type MarkList = PlotOptions['marks'];

/**
 * A pointer tip draws nothing without a pointer, and a mark with `tip` leaves out its
 * `<title>`s. Without the tip the titles are drawn, so the tooltip text is in the snapshot.
 */
function withoutTips(marks: MarkList): MarkList {
  return marks?.map((m) => {
    if (Array.isArray(m)) return withoutTips(m as MarkList);
    if (m === null || typeof m !== 'object' || !('tip' in m) || !m.tip) return m;
    return Object.assign(Object.create(Object.getPrototypeOf(m) as object) as object, m, { tip: false }) as typeof m;
  }) as MarkList;
}

function roundNumbers(value: string): string {
  return value.replace(/-?\d*\.\d+(?:e[-+]?\d+)?/gi, (n) => {
    const r = Math.round(Number(n) * 100) / 100;
    return String(Object.is(r, -0) ? 0 : r);
  });
}

export function normalizeSvg(html: string): string {
  const ids = new Map<string, string>();
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/(\s[\w:-]+)="([^"]*)"/g, (_, name: string, value: string) => `${name}="${roundNumbers(value)}"`)
    .replace(/\b(plot-[a-z]+-)(\d+)\b/g, (id: string, prefix: string) => {
      let renamed = ids.get(id);
      if (renamed === undefined) {
        renamed = `${prefix}${ids.size + 1}`;
        ids.set(id, renamed);
      }
      return renamed;
    })
    .replace(/></g, '>\n<')
    .concat('\n');
}

/**
 * linkedom has no 2D canvas; Plot paints a continuous colour legend into one. This canvas
 * records the colours and hands them back in place of the PNG, so the ramp stays testable.
 */
function withRecordingCanvas(document: Document): Document {
  const create = document.createElement.bind(document);
  document.createElement = ((tag: string) => {
    const el = create(tag);
    if (tag !== 'canvas') return el;
    const colours: string[] = [];
    const context = { fillRect: () => undefined, set fillStyle(c: string) { colours.push(c); } };
    return Object.assign(el, {
      getContext: () => context,
      toDataURL: () => `data:text/plain,${[0, 0.5, 1].map((f) => colours[Math.round(f * (colours.length - 1))] ?? '').join(' ')}`,
    });
  }) as Document['createElement'];
  return document;
}

/** The chart as Plot draws it: a `<svg>`, or a `<figure>` when there is a legend. */
export function renderElement(options: PlotOptions): Element {
  const { document } = parseHTML('<!DOCTYPE html><html><head></head><body></body></html>');
  return Plot.plot({ ...options, marks: withoutTips(options.marks), document: withRecordingCanvas(document as unknown as Document) }) as unknown as Element;
}

/** The chart as Plot draws it, normalised. */
export function renderSvg(options: PlotOptions): string {
  return normalizeSvg((renderElement(options) as unknown as { outerHTML: string }).outerHTML);
}
