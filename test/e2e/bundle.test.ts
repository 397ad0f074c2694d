/**
 * What the built page loads before its first screen. The dashboard (views, charts, Plot) and
 * the xlsx and Parquet code are chunks loaded on demand; a static import of any of them from
 * the first screen would put it back on the critical path, and this test would fail.
 */
import { describe, expect, it } from 'vitest';
import { appJsSize } from '../bench/js-size.ts';
import { DIST } from './harness.ts';

describe('the built application JavaScript', () => {
  it('loads under 200 KiB gzipped before the first screen, without the dashboard or the file-format readers', () => {
    const size = appJsSize(DIST);
    expect(size).not.toBeNull();
    if (!size) return;
    expect(size.startChunks.filter((f) => /^(Dashboard|xlsx|parquet|PlotFigure)/i.test(f))).toEqual([]);
    expect(size.atStart).toBeLessThan(200);
    expect(size.all).toBeGreaterThan(size.atStart);
    console.log(`application JS gzipped: ${size.atStart.toFixed(1)} KiB at start, ${size.all.toFixed(1)} KiB in all`);
  });
});
