/**
 * `?demo` opens the dashboard straight away (the load report a click away), and every
 * aggregate opens the list of its customers: a tier's table row, a cohort cell of the
 * heatmap, a chart card's table row by keyboard. The list is named after the selection,
 * counts what the aggregate counts, pages, and opens a customer.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApp } from './harness.ts';

async function listCount(page: Page): Promise<number> {
  const list = page.locator('[data-testid=drill-list]');
  await list.waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('[data-testid=drill-list-count]').waitFor({ timeout: 60_000 });
  return Number(await list.getAttribute('data-total'));
}

async function closeList(page: Page): Promise<void> {
  await page.locator('[data-testid=drill-list-close]').click();
  await page.locator('[data-testid=drill-list]').waitFor({ state: 'detached' });
}

describe('customer lists from aggregates', () => {
  const app = useApp({ locale: 'en-US' });

  it('?demo opens the dashboard; tiers, cohort cells and table rows open their customers', async () => {
    const session = app();
    const page = await session.openApp('demo&lang=en');
    await session.waitForDashboard();
    expect(await page.locator('[data-testid=load-report]').count()).toBe(0);

    // A tier's row: the list counts the tier's customers, pages, and opens a customer.
    await page.locator('[data-testid=tab-pareto]').click();
    const tierA = Number((await page.locator('[data-testid=chart-tiers] tbody tr').first().locator('td').nth(2).innerText()).replace(/\D/g, ''));
    expect(tierA).toBeGreaterThan(50);
    await page.locator('[data-testid=drill-tier-A]').click();
    expect(await listCount(page)).toBe(tierA);
    expect(await page.locator('[data-testid=drill-list-title]').innerText()).toContain('Tier A');
    expect(await page.locator('[data-testid=drill-list] tbody tr').count()).toBe(50);
    await page.locator('[data-testid=drill-next]').click();
    await page.locator('[data-testid=drill-range]', { hasText: '51' }).waitFor();
    await page.locator('[data-testid=drill-sort-value]').click();
    await page.locator('[data-testid=drill-range]', { hasText: '1–' }).waitFor();
    await page.locator('[data-testid=drill-customer-open]').first().click();
    await page.locator('[data-testid=drill-list] [data-testid=customer-detail-facts]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=drill-list] [data-testid=customer-detail-close]').click();
    await closeList(page);

    // A cohort cell of the heatmap, by pointer: its customers active in that period.
    await page.locator('[data-testid=tab-retention]').click();
    await session.waitForPanels(['retention']);
    const cell = page.locator('[data-testid=chart-cohorts] svg a').first();
    const href = decodeURIComponent(await cell.evaluate((a) => a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? ''));
    const drill = JSON.parse(href.replace('#drill=', '')) as { drill: { cohort: string; k: number } };
    await cell.click();
    const n = await listCount(page);
    expect(await page.locator('[data-testid=drill-list-title]').innerText()).toContain(`cohort ${drill.drill.cohort}`);
    // The first cell is the first cohort's period 0: every customer of the cohort bought in it.
    expect(drill.drill.k).toBe(0);
    expect(n).toBeGreaterThan(0);
    await closeList(page);

    // By keyboard: a chart card's table row (the RFM segments) opens with Enter.
    await page.locator('[data-testid=tab-segments]').click();
    const card = page.locator('[data-testid=chart-rfm-segments]');
    await card.getByRole('radio', { name: 'Table' }).click();
    const row = card.locator('.ll-table-wrap tbody tr').first();
    const customers = Number((await row.locator('td').nth(1).innerText()).replace(/\D/g, ''));
    await row.locator('[data-testid=row-customers]').focus();
    await page.keyboard.press('Enter');
    expect(await listCount(page)).toBe(customers);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=drill-list]').waitFor({ state: 'detached' });

    // The load report stays reachable, and leads back.
    await page.locator('[data-testid=open-load-report]').click();
    await page.locator('[data-testid=load-report]').waitFor();
    await page.locator('[data-testid=continue]').click();
    await session.waitForDashboard();
    expect(session.pageErrors).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  }, 240_000);
});
