/**
 * METRICS.md §7–§11 in the page: CDNOW master (69,659 lines) and UCI Online Retail (541,909
 * lines) dropped into headless Chromium, every segment, class, stage, migration, warning,
 * key-class and composition metric read from the Overview's key-numbers table (duckdb-wasm)
 * and compared with test/real/independent-segments.ts (plain TypeScript over the raw file),
 * at the default settings. segments-real.test.ts does the same through `analyze`'s engine,
 * per customer. Needs ../shared and a built dist/.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { SEGMENT_DEFAULTS } from '../../src/lib/analyses/segments.ts';
import { useApp } from '../e2e/harness.ts';
import { readCdnowLines, readOnlineRetailLines, referenceSegments, type Dim, type SegLine } from './independent-segments.ts';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const MONEY = new Set(['churn_warning_value']);

interface Dataset {
  readonly name: string;
  readonly path: string;
  readonly dims: readonly Dim[];
  read(): SegLine[];
}

const DATASETS: readonly Dataset[] = [
  { name: 'CDNOW_master.txt', path: `${DATA}cdnow/CDNOW_master.txt`, dims: [], read: () => readCdnowLines(`${DATA}cdnow/CDNOW_master.txt`) },
  { name: 'online_retail.csv', path: `${DATA}online-retail/online_retail.csv`, dims: ['region'], read: () => readOnlineRetailLines(`${DATA}online-retail/online_retail.csv`) },
];

describe.skipIf(!existsSync(DATA))('segments and lifecycle in the page on real data', () => {
  const app = useApp({ locale: 'en' });

  it.each(DATASETS)('$name: every §7–§11 metric equals the independent computation', async (ds) => {
    const lines = ds.read();
    const asOf = lines.reduce((m, l) => (l.date > m ? l.date : m), '');
    const ref = referenceSegments(
      lines,
      {
        asOf,
        W: DEFAULT_SETTINGS.churnWindowDays,
        k: SEGMENT_DEFAULTS.overdueFactor,
        S: SEGMENT_DEFAULTS.stableDays,
        P: SEGMENT_DEFAULTS.periodDays,
        t: SEGMENT_DEFAULTS.paceThreshold,
        basis: 'mean',
        tierA: DEFAULT_SETTINGS.tierA,
        tierB: DEFAULT_SETTINGS.tierB,
      },
      ds.dims,
    );

    const session = app();
    const page = await session.openApp();
    await session.dropFile(ds.path);
    await session.waitForReport(240_000);
    await page.locator('[data-testid=continue]').first().click();
    await session.waitForPanels(['overview'], 240_000);
    await session.waitIdle(240_000);

    const ids = Object.keys(ref.metrics);
    expect(ids.length).toBeGreaterThan(30);
    const shown = await page.locator('[data-testid=key-numbers] [data-metric]').evaluateAll((cells) =>
      Object.fromEntries(cells.map((c) => [c.getAttribute('data-metric') ?? '', c.getAttribute('data-value') ?? ''])),
    );
    const wrong: { id: string; page: string | undefined; reference: number | null }[] = [];
    for (const id of ids) {
      const want = ref.metrics[id] ?? null;
      const got = shown[id];
      const value = got === undefined || got === '' ? null : Number(got);
      const tol = want === null ? 0 : MONEY.has(id) ? 0.005 : Number.isInteger(want) ? 0 : 1e-9 * Math.max(1, Math.abs(want));
      const same = want === null || value === null ? want === value : Math.abs(value - want) <= tol;
      if (!same) wrong.push({ id, page: got, reference: want });
    }
    console.log(`${ds.name} in the page: ${ids.length} metrics compared, ${wrong.length} differ`);
    expect(wrong).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
