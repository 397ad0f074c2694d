/**
 * A filter change re-runs every panel. The panel on screen runs first and shows its new
 * numbers as soon as they are ready; until a panel has its new numbers it is marked as
 * being updated (dimmed, `aria-busy`, a status line), never shown as if current. The
 * numbers it ends with are those of `analyze --json` with the same filter.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeJson } from './cli.ts';
import { ROOT, useApp, type AppSession } from './harness.ts';
import type { Page } from 'playwright-core';

const DEMO_SALES = join(ROOT, 'public', 'demo', 'sales.csv');

interface Seen {
  /** ms since the change at which each marked part (a panel's section, a headline, the to-do cards) was last marked busy, and then no longer. */
  readonly busy: Record<string, number>;
  readonly ready: Record<string, number>;
  /** Whether the status line of a panel being updated showed. */
  updating: boolean;
}

/** Loads the demo sales and shows the dashboard. */
async function openDashboard(session: AppSession): Promise<Page> {
  const page = await session.openApp();
  await session.dropFile(DEMO_SALES);
  await session.waitForReport();
  await page.locator('[data-testid=continue]').click();
  await session.waitForPanels(['overview']);
  return page;
}

/** Records, from now on, when each part that can be marked as updating is marked and unmarked. */
async function watchBusy(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name = (f) => f');
  await page.evaluate(() => {
    const seen = { busy: {}, ready: {}, updating: false } as { busy: Record<string, number>; ready: Record<string, number>; updating: boolean };
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      const now = performance.now() - t0;
      for (const el of document.querySelectorAll<HTMLElement>('section[data-testid^=panel-], [data-testid^=headline-], [data-testid=todo]')) {
        const id = el.dataset.testid ?? '';
        if (el.getAttribute('aria-busy') === 'true') seen.busy[id] = now;
        else if (seen.busy[id] !== undefined && seen.ready[id] === undefined) seen.ready[id] = now;
      }
      if (document.querySelector('[data-testid=panel-updating]')) seen.updating = true;
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
    (window as unknown as { __seen: typeof seen }).__seen = seen;
  });
}

/** Ticks the first value of the category filter; returns it. */
async function tickCategory(page: Page): Promise<string> {
  const category = page.locator('[data-testid=filters] details').filter({ hasText: '品类' }).first();
  await category.locator('summary').click();
  const chosen = ((await category.locator('label.option .value').first().textContent()) ?? '').trim();
  expect(chosen.length).toBeGreaterThan(0);
  await category.locator('input[type=checkbox]').first().click();
  return chosen;
}

/** Waits for the change's run to end with nothing left marked; what was seen of it. */
async function seenOfChange(page: Page): Promise<Seen> {
  await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ state: 'attached', timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy=true]').length === 0);
  return (await page.evaluate(() => (window as unknown as { __seen: Seen }).__seen)) as Seen;
}

describe('a filter change', () => {
  const app = useApp();

  it('shows the panel on screen first, marks the others as updating, and ends with the filtered numbers', async () => {
    const session = app();
    const page = await openDashboard(session);
    await page.locator('[data-testid=tab-clv]').click();
    await page.locator('[data-testid=clv-view]').waitFor({ state: 'visible' });
    const before = await session.readMetric('clv_customers', '[data-testid=panel-clv]');

    await watchBusy(page);
    const chosen = await tickCategory(page);
    const seen = await seenOfChange(page);
    // Every panel was marked while the change ran, and the one on screen got its numbers first.
    expect(Object.keys(seen.busy).sort()).toEqual(Object.keys(seen.ready).sort());
    expect(Object.keys(seen.busy)).toContain('panel-overview');
    expect(seen.updating).toBe(true);
    const clvReady = seen.ready['panel-clv'] as number;
    expect(clvReady).toBeDefined();
    for (const [id, at] of Object.entries(seen.ready)) if (id.startsWith('panel-') && id !== 'panel-clv') expect(at, id).toBeGreaterThanOrEqual(clvReady);
    expect(seen.ready['panel-overview'] as number).toBeGreaterThan(clvReady);
    expect(await page.locator('[data-testid=panel-updating]').count()).toBe(0);

    // The numbers it ends with are the filtered data's.
    const cli = analyzeJson([DEMO_SALES, '--filter', `category=${chosen}`]).metrics;
    const after = await session.readMetric('clv_customers', '[data-testid=panel-clv]');
    expect(after).toBe(cli.clv_customers);
    expect(after).not.toBe(before);
    await page.locator('[data-testid=tab-overview]').click();
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(cli.customers);
    expect(await session.readMetric('revenue', '[data-testid=panel-overview]')).toBeCloseTo(cli.revenue as number, 6);
    expect(session.pageErrors).toEqual([]);
  });

  it('shows the overview\'s own numbers first, each headline and the to-do cards marked until their panel is done', async () => {
    const session = app();
    const page = await openDashboard(session);
    const headlines = ['pareto', 'repurchase', 'retention', 'satisfaction'];
    for (const h of headlines) await expect(page.locator(`[data-testid=headline-${h}]`).getAttribute('aria-busy')).resolves.toBe('false');
    const hasTodo = (await page.locator('[data-testid=todo]').count()) > 0;

    await watchBusy(page);
    const chosen = await tickCategory(page);
    const seen = await seenOfChange(page);

    const overview = seen.ready['panel-overview'] as number;
    expect(overview).toBeDefined();
    // The overview ran first; each headline was marked until the panel it summarises was done
    // (the repurchase and retention panels, which show the overview's numbers, after it).
    for (const h of headlines) {
      expect(seen.busy[`headline-${h}`], h).toBeDefined();
      expect(seen.ready[`headline-${h}`], h).toBe(seen.ready[`panel-${h}`]);
      expect(seen.ready[`headline-${h}`], h).toBeGreaterThanOrEqual(overview);
    }
    if (hasTodo) expect(seen.ready.todo).toBe(seen.ready['panel-warnings']);
    expect(seen.ready['panel-clv']).toBeGreaterThan(overview);

    // Its headline ends with the filtered numbers.
    const cli = analyzeJson([DEMO_SALES, '--filter', `category=${chosen}`]).metrics;
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(cli.customers);
    const pct = Math.round((cli.repurchase_rate as number) * 100);
    await expect(page.locator('[data-testid=headline-repurchase]').textContent()).resolves.toContain(`${pct}%`);
    expect(session.pageErrors).toEqual([]);
  });
});
