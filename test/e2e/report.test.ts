import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useApp } from './harness.ts';

const KPIS = ['customers', 'revenue', 'top20_share', 'repurchase_rate', 'retention_m1'] as const;

describe('report file', () => {
  const app = useApp({ locale: 'en' });

  it('downloads one HTML file that opens without JavaScript with the page’s charts and KPI values', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').first().click();
    await page.locator('[data-testid=dashboard] [data-metric="customers"]').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ state: 'attached', timeout: 60_000 });
    const onPage: Record<string, string | null> = {};
    for (const id of KPIS) onPage[id] = await page.locator(`[data-testid=dashboard] [data-metric="${id}"]`).first().getAttribute('data-value');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.locator('[data-testid=report-download]').click()]);
    expect(download.suggestedFilename()).toMatch(/^loyalty-report-\d{4}-\d{2}-\d{2}\.html$/);
    const path = await download.path();
    const html = readFileSync(path, 'utf8');
    expect(html).not.toMatch(/<script/i);
    const ctx = await session.browser.newContext({ javaScriptEnabled: false });
    const file = await ctx.newPage();
    // Saved as the user would save it (the download's temporary path has no extension).
    const saved = join(mkdtempSync(join(tmpdir(), 'report-')), download.suggestedFilename());
    await download.saveAs(saved);
    await file.goto(`file://${saved}`);
    expect(await file.locator('section.panel figure svg').count()).toBeGreaterThanOrEqual(8);
    // Every chart is drawn whole at the print width (a colour legend once set a heatmap's width).
    const widths = await file.locator('section.panel > figure > svg').evaluateAll((els) => els.map((e) => e.getAttribute('width')));
    expect(widths.length).toBeGreaterThanOrEqual(8);
    expect([...new Set(widths)]).toEqual(['700']);
    // The same findings as the page, card for card.
    const pageTitles = (await page.locator('[data-testid=dashboard] [data-testid^="chart-"] h3').allTextContents()).map((t) => t.trim());
    expect(await file.locator('section.panel figure h3').allTextContents()).toEqual(pageTitles);
    // Table headings are words, not field names.
    const headings = await file.locator('section.panel th').allTextContents();
    expect(headings.length).toBeGreaterThan(20);
    expect(headings.filter((h) => /^[a-z][a-z0-9_]*$/.test(h))).toEqual([]);
    for (const id of KPIS) {
      expect([id, await file.locator(`[data-metric="${id}"]`).first().getAttribute('data-value')]).toEqual([id, onPage[id]]);
    }
    await ctx.close();
    expect(session.pageErrors).toEqual([]);
  });
});
