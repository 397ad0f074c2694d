/**
 * A chart spec as plain JSON, for assertions on what a chart is given: scales (functions
 * applied to their domain), and per mark its type, constant styles and every channel
 * evaluated on its data, numbers rounded. What it draws is snapshotted by svg.ts.
 */
import * as Plot from '@observablehq/plot';
import type { PlotOptions } from '@observablehq/plot';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function round(v: unknown): Json {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(round);
  if (typeof v === 'function') return 'ƒ';
  if (typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = round(x);
    return out;
  }
  return String(v);
}

const STYLES = ['fill', 'stroke', 'fillOpacity', 'strokeOpacity', 'strokeWidth', 'strokeDasharray', 'opacity', 'frameAnchor', 'textAnchor', 'curve'] as const;

interface MarkLike {
  data?: unknown;
  channels?: Record<string, { value: unknown } | undefined>;
  [k: string]: unknown;
}

export function describeMark(mark: MarkLike): Json {
  const data = mark.data == null ? null : Array.from(mark.data as Iterable<unknown>);
  const channels: Record<string, Json> = {};
  for (const [name, ch] of Object.entries(mark.channels ?? {})) {
    if (ch === undefined) continue;
    const value = ch.value as Plot.ChannelValue;
    if (data === null) {
      channels[name] = round(value);
      continue;
    }
    try {
      channels[name] = round(Plot.valueof(data, value));
    } catch {
      channels[name] = 'transform';
    }
  }
  const styles: Record<string, Json> = {};
  for (const k of STYLES) {
    const v = mark[k];
    if (v !== undefined && typeof v !== 'function' && !(k in channels)) styles[k] = round(v);
  }
  return { type: mark.constructor.name, n: data === null ? null : data.length, styles, channels };
}

function flatMarks(marks: unknown): MarkLike[] {
  if (marks == null) return [];
  if (Array.isArray(marks)) return marks.flatMap(flatMarks);
  return [marks as MarkLike];
}

export function describeSpec(options: PlotOptions): Json {
  const scales: Record<string, Json> = {};
  for (const key of ['x', 'y', 'fx', 'fy', 'color', 'r', 'opacity'] as const) {
    const s = options[key] as Record<string, unknown> | undefined;
    if (s === undefined) continue;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'tickFormat' && typeof v === 'function' && Array.isArray(s.domain)) {
        out.ticks = s.domain.map((d: unknown) => round((v as (d: unknown) => unknown)(d)));
      } else out[k] = round(v);
    }
    scales[key] = out;
  }
  return {
    width: round(options.width),
    height: round(options.height),
    scales,
    marks: flatMarks(options.marks).map(describeMark),
  };
}
