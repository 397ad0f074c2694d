/**
 * `?demo` opens the dashboard straight away (the load report a click away), and every
 * aggregate opens the list of its customers: a tier's table row, a cohort cell of the
 * heatmap, a chart card's table row by keyboard, a point of the activity line and of the
 * stage history and a lifetime-value bin by keyboard. The list is named after the selection,
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

/**
 * Clicks the mark of chart card `card` that stands for the most customers among those linking to
 * a `kind` list, and expects the list to count what the mark shows (its label, or its tip's count).
 */
async function pointOpens(page: Page, card: string, kind: string): Promise<void> {
  const marks = page.locator(`[data-testid=chart-${card}] svg a`);
  await marks.first().waitFor({ state: 'attached', timeout: 60_000 });
  const all = await marks.evaluateAll((links) =>
    links.map((a) => {
      const el = a.firstElementChild;
      const text = el?.getAttribute('aria-label') ?? el?.querySelector('title')?.textContent ?? '';
      const m = /([\d,]+)(?: customers)?\s*$/.exec(text.trim());
      return { href: decodeURIComponent(a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? a.getAttribute('href') ?? ''), n: m ? Number((m[1] ?? '').replace(/,/g, '')) : -1 };
    }),
  );
  const ofKind = all.map((x, i) => ({ ...x, i })).filter((x) => x.href.includes(`"kind":"${kind}"`));
  expect(ofKind.length).toBeGreaterThan(0);
  const best = ofKind.reduce((a, b) => (b.n > a.n ? b : a));
  expect(best.n, `${card}: ${JSON.stringify(all.slice(0, 3))}`).toBeGreaterThan(0);
  await marks.nth(best.i).focus();
  await page.keyboard.press('Enter');
  expect(await listCount(page)).toBe(best.n);
  await closeList(page);
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

    // A point of the activity line (Overview): its list counts the customers the point stands for.
    await page.locator('[data-testid=tab-overview]').click();
    await pointOpens(page, 'activity', 'activeAt');

    // A point of the stage history (drawn once the tab is opened): customers in that stage then.
    await page.locator('[data-testid=tab-lifecycle]').click();
    await pointOpens(page, 'stage-history', 'stageAt');

    // A lifetime-value bin, from the chart and from its table row by keyboard: the bin's customers, ids from the model fit.
    await page.locator('[data-testid=tab-clv]').click();
    await session.waitForPanels(['clv']);
    const bins = page.locator('[data-testid=chart-clv-distribution]');
    if ((await bins.count()) > 0) await pointOpens(page, 'clv-distribution', 'clvBin');
    const alive = page.locator('[data-testid=chart-clv-p-alive]');
    await alive.getByRole('radio', { name: 'Table' }).click();
    const fullest = alive.locator('.ll-table-wrap tbody tr').last();
    const inBin = Number((await fullest.locator('td').nth(1).innerText()).replace(/\D/g, ''));
    expect(inBin).toBeGreaterThan(0);
    await fullest.locator('[data-testid=row-customers]').focus();
    await page.keyboard.press('Enter');
    expect(await listCount(page)).toBe(inBin);
    expect(await page.locator('[data-testid=drill-list-title]').innerText()).toContain('P(alive) 0.9–1');
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
