/**
 * The Segments, Lifecycle and Composition panels in the production build, on the demo data:
 * their KPIs equal `analyze --json` on the same files, a segment's customer list downloads
 * with exactly that segment's customers (the ones `analyze --customers` puts in it), and no
 * panel makes a phone-sized page scroll sideways.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PANEL_REGISTRY } from '../../src/lib/analyses/registry.ts';
import { analyzeJson } from './cli.ts';
import { FIXTURES, ROOT, useApp, type AppSession } from './harness.ts';

const DEMO_SALES = join(ROOT, 'public', 'demo', 'sales.csv');
const DEMO_SURVEY = join(ROOT, 'public', 'demo', 'survey.csv');
const TABS = ['segments', 'lifecycle', 'composition'] as const;


/** Rows of a CSV without quoted commas (ids, numbers, dates and ids of segments only). */
function csvRows(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
}

async function openTab(session: AppSession, id: string): Promise<void> {
  await session.page.locator(`[data-testid=tab-${id}]`).first().click();
  await session.page.locator(`[data-testid=panel-${id}]`).locator('svg').first().waitFor({ state: 'visible', timeout: 60_000 });
  await session.waitIdle();
}

describe('segments, lifecycle and composition panels', () => {
  const app = useApp();
  const dir = mkdtempSync(join(tmpdir(), 'll-seg-e2e-'));
  const customersFile = join(dir, 'customers.csv');
  const cli = analyzeJson([DEMO_SALES, '--survey', DEMO_SURVEY, '--customers', customersFile]);

  it('show the KPIs analyze --json computes, export a segment’s customers, and fit a 390 px screen', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropSurvey(DEMO_SURVEY);
    await session.dropFile(DEMO_SALES);
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);

    for (const id of TABS) {
      await openTab(session, id);
      const panel = PANEL_REGISTRY.find((p) => p.id === id);
      expect(panel?.kpis.length, id).toBeGreaterThan(0);
      for (const metric of panel?.kpis ?? []) {
        const want = cli.metrics[metric];
        const got = await session.readMetric(metric, `[data-testid=panel-${id}]`);
        if (want === null || want === undefined) expect(got, metric).toBeNull();
        else expect(Math.abs((got ?? Number.NaN) - want), `${metric}: page ${String(got)} vs analyze ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      }
    }
    // The demo has customers in every stage the KPIs name, and champions to export.
    expect(cli.metrics.rfm_champions).toBeGreaterThan(0);
    expect(cli.metrics.stage_stability).toBeGreaterThan(0);

    // The champions' list: the same customers analyze --customers marks as champions.
    await openTab(session, 'segments');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-testid=export-segment-champions]').click()]);
    expect(download.suggestedFilename()).toBe('customers-segment-champions.csv');
    const got = csvRows(readFileSync(await download.path(), 'utf8'));
    const all = csvRows(readFileSync(customersFile, 'utf8'));
    const header = all[0] ?? [];
    const seg = header.indexOf('rfm_segment');
    expect(seg).toBeGreaterThan(0);
    const champions = all.slice(1).filter((r) => r[seg] === 'champions');
    expect(champions).toHaveLength(cli.metrics.rfm_champions ?? -1);
    expect(got[0]).toHaveLength(header.length);
    const rows = got.slice(1);
    expect(rows.map((r) => r[0])).toEqual(champions.map((r) => r[0]));
    for (const r of rows) expect(r[seg]).toBe('champions');

    // A phone: nothing wider than the screen on any of the three panels.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of TABS) {
      await openTab(session, id);
      await page.waitForTimeout(300);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, id).toBeLessThanOrEqual(390);
    }
    expect(session.pageErrors).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  });

  it('say so on the composition panel when no dimension is mapped (CDNOW has none)', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(FIXTURES, 'cdnow_head.txt'));
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    await openTab(session, 'composition');
    await page.locator('[data-testid=composition-no-dimension]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid=chart-composition]').count()).toBe(0);
    // New against returning revenue needs no dimension.
    expect(await page.locator('[data-testid=chart-new-returning] svg').count()).toBeGreaterThan(0);
    expect(session.pageErrors).toEqual([]);
  });
});
