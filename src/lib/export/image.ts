/**
 * A rendered Plot figure as a standalone SVG (legends folded in) and as a PNG drawn through
 * a canvas. Browser only: needs `document`, `XMLSerializer`, `Image` and a canvas.
 */
import { downloadBlob } from './download.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface SvgExport {
  readonly text: string;
  readonly width: number;
  readonly height: number;
}

function size(el: Element): { width: number; height: number } {
  const w = Number(el.getAttribute('width'));
  const h = Number(el.getAttribute('height'));
  if (w > 0 && h > 0) return { width: w, height: h };
  const box = el.getBoundingClientRect();
  return { width: Math.ceil(box.width), height: Math.ceil(box.height) };
}

function textNode(doc: Document, text: string, x: number, y: number, attrs: Record<string, string>): SVGTextElement {
  const t = doc.createElementNS(SVG_NS, 'text');
  t.setAttribute('x', String(x));
  t.setAttribute('y', String(y));
  for (const [k, v] of Object.entries(attrs)) t.setAttribute(k, v);
  t.textContent = text;
  return t;
}

/** Plot's swatch legends are HTML: redraw each swatch as a square and a label. */
function swatchRow(doc: Document, legend: Element, width: number, font: string): { group: SVGGElement; height: number } {
  const g = doc.createElementNS(SVG_NS, 'g');
  let x = 0;
  let y = 12;
  for (const swatch of legend.querySelectorAll('[class$="-swatch"]')) {
    const shape = swatch.querySelector('rect, circle, path');
    const fill = shape?.getAttribute('fill') ?? swatch.querySelector('svg')?.getAttribute('fill') ?? '#888';
    const label = swatch.textContent?.trim() ?? '';
    const w = 22 + label.length * 7.5;
    if (x > 0 && x + w > width) {
      x = 0;
      y += 20;
    }
    const rect = doc.createElementNS(SVG_NS, 'rect');
    for (const [k, v] of Object.entries({ x: x, y: y - 10, width: 12, height: 12, fill })) rect.setAttribute(k, String(v));
    g.append(rect, textNode(doc, label, x + 16, y, { 'font-size': '12', 'font-family': font, fill: '#1F2933' }));
    x += w + 12;
  }
  return { group: g, height: y + 8 };
}

function isSvg(el: Element): el is SVGSVGElement {
  return el.localName === 'svg';
}

/**
 * One SVG element for a figure: an optional title line, legends and plots stacked in page
 * order, on an opaque background so that the image reads anywhere. As wide as the widest
 * part (a colour ramp comes before the plot and is narrower).
 */
export function figureToSvgElement(
  figure: Element,
  opts: { readonly title?: string; readonly background?: string } = {},
): { readonly element: SVGSVGElement; readonly width: number; readonly height: number } {
  const doc = figure.ownerDocument;
  const plots = isSvg(figure) ? [figure] : [...figure.children];
  // The plot is a direct child; legend swatches hold small svgs of their own.
  const parts = plots.filter(isSvg);
  const main = parts.reduce<SVGSVGElement | undefined>((best, p) => (best === undefined || size(p).width > size(best).width ? p : best), undefined);
  const width = main ? size(main).width : 640;
  const font = main?.style.fontFamily || 'sans-serif';
  const root = doc.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
  root.setAttribute('xmlns', SVG_NS);
  const body = doc.createElementNS(SVG_NS, 'g');
  let y = 8;
  if (opts.title) {
    body.append(textNode(doc, opts.title, 8, y + 14, { 'font-size': '15', 'font-weight': '600', 'font-family': font, fill: '#1F2933' }));
    y += 28;
  }
  for (const part of plots) {
    if (isSvg(part)) {
      const copy = part.cloneNode(true) as SVGSVGElement;
      const s = size(part);
      // A colour ramp centres its first label on its left edge: indent it like the swatches.
      copy.setAttribute('x', part === main ? '0' : '8');
      copy.setAttribute('y', String(y));
      copy.setAttribute('width', String(s.width));
      copy.setAttribute('height', String(s.height));
      body.append(copy);
      y += s.height;
    } else if (part.querySelector('[class$="-swatch"]')) {
      const row = swatchRow(doc, part, width, font);
      row.group.setAttribute('transform', `translate(8, ${y})`);
      body.append(row.group);
      y += row.height;
    } else if (part.querySelector('svg')) {
      const inner = part.querySelector('svg');
      if (inner) {
        const copy = inner.cloneNode(true) as SVGSVGElement;
        const s = size(inner);
        copy.setAttribute('x', '0');
        copy.setAttribute('y', String(y));
        body.append(copy);
        y += s.height;
      }
    }
  }
  const height = Math.ceil(y + 8);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const bg = doc.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of Object.entries({ width, height, fill: opts.background ?? '#ffffff' })) bg.setAttribute(k, String(v));
  root.append(bg, body);
  return { element: root, width, height };
}

/** `figureToSvgElement` as SVG text. */
export function figureToSvg(figure: Element, opts: { readonly title?: string; readonly background?: string } = {}): SvgExport {
  const { element, width, height } = figureToSvgElement(figure, opts);
  return { text: new XMLSerializer().serializeToString(element), width, height };
}

/** Draw an SVG onto a canvas at `scale` × its size and encode it as PNG. */
export async function svgToPng(svg: SvgExport, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('svg: image could not be decoded'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(svg.width * scale);
    canvas.height = Math.round(svg.height * scale);
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('png: no 2d canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, svg.width, svg.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('png: canvas gave no blob'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}


export function downloadSvg(fileName: string, svg: SvgExport): void {
  downloadBlob(fileName, new Blob([svg.text], { type: 'image/svg+xml;charset=utf-8' }));
}

/** A file name from a title: keeps letters (CJK included) and digits, joins the rest with '-'. */
export function fileStem(title: string): string {
  const stem = title
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return stem === '' ? 'chart' : stem;
}
