/**
 * The page and the `analyze` command agree: the same files, loaded in headless Chromium
 * (duckdb-wasm) and by `analyze --json` (native DuckDB), give every metric of METRICS.md
 * with the same value. The page's values are read from `data-metric` / `data-value`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLV_METRIC_IDS } from '../../src/lib/clv/fit.ts';
import { METRIC_IDS } from '../../src/lib/model/metrics.ts';
import { analyzeJson } from './cli.ts';
import { FIXTURES, ROOT, useApp, type AppSession } from './harness.ts';

const DEMO_SALES = join(ROOT, 'public', 'demo', 'sales.csv');
const DEMO_SURVEY = join(ROOT, 'public', 'demo', 'survey.csv');
const CDNOW = join(FIXTURES, 'cdnow_head.txt');

const analyzeMetrics = (args: readonly string[]): Record<string, number | null> => analyzeJson(args).metrics;

async function pageMetrics(session: AppSession): Promise<Record<string, number | null>> {
  await session.waitForReport();
  await session.page.locator('[data-testid=continue]').click();
  await session.waitForPanels(['overview']);
  const out: Record<string, number | null> = {};
  for (const id of METRIC_IDS) out[id] = await session.readMetric(id, '[data-testid=panel-overview]');
  // The lifetime-value metrics are shown in their own panel.
  await session.page.locator('[data-testid=tab-clv]').click();
  await session.page.locator('[data-testid=clv-view]').waitFor({ state: 'visible' });
  for (const id of CLV_METRIC_IDS) out[id] = await session.readMetric(id, '[data-testid=panel-clv]');
  return out;
}

function expectSame(page: Record<string, number | null>, cli: Record<string, number | null>): void {
  for (const id of METRIC_IDS) {
    const a = page[id];
    const b = cli[id];
    if (b === null || b === undefined) {
      expect(a, id).toBeNull();
    } else {
      expect(a, id).not.toBeNull();
      // Both engines compute in SQL; only float formatting may differ in the last digits.
      expect(Math.abs((a as number) - b), `${id}: page ${String(a)} vs analyze ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    }
  }
}

describe('page KPIs equal analyze --json', () => {
  const app = useApp();

  it('on the demo data (sales + survey)', async () => {
    const cli = analyzeMetrics([DEMO_SALES, '--survey', DEMO_SURVEY]);
    const session = app();
    await session.openApp();
    // The survey is chosen first: choosing sales files starts the load.
    await session.dropSurvey(DEMO_SURVEY);
    await session.dropFile(DEMO_SALES);
    const page = await pageMetrics(session);
    expect(page.customers).toBeGreaterThan(1000);
    expect(page.nps).not.toBeNull();
    expectSame(page, cli);
    expect(session.offOrigin).toEqual([]);
  });

  it('on CDNOW (whitespace-separated, no order ids)', async () => {
    const cli = analyzeMetrics([CDNOW]);
    const session = app();
    await session.openApp();
    await session.dropFile(CDNOW);
    const page = await pageMetrics(session);
    expect(page.rows_read).toBe(4999);
    expectSame(page, cli);
  });
});
