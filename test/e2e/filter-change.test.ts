/**
 * A filter change re-runs every panel. The panel on screen runs first and shows its new
 * numbers as soon as they are ready; until a panel has its new numbers it is marked as
 * being updated (dimmed, `aria-busy`, a status line), never shown as if current. The
 * numbers it ends with are those of `analyze --json` with the same filter.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeJson } from './cli.ts';
import { ROOT, useApp } from './harness.ts';

const DEMO_SALES = join(ROOT, 'public', 'demo', 'sales.csv');

interface Seen {
  /** ms since the change at which each panel's section was last marked busy, and then no longer. */
  readonly busy: Record<string, number>;
  readonly ready: Record<string, number>;
  /** Whether the status line of a panel being updated showed. */
  updating: boolean;
}

describe('a filter change', () => {
  const app = useApp();

  it('shows the panel on screen first, marks the others as updating, and ends with the filtered numbers', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(DEMO_SALES);
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    await page.locator('[data-testid=tab-clv]').click();
    await page.locator('[data-testid=clv-view]').waitFor({ state: 'visible' });
    const before = await session.readMetric('clv_customers', '[data-testid=panel-clv]');

    // Watch every panel's section from now on.
    await page.evaluate('globalThis.__name = (f) => f');
    await page.evaluate(() => {
      const seen = { busy: {}, ready: {}, updating: false } as { busy: Record<string, number>; ready: Record<string, number>; updating: boolean };
      const t0 = performance.now();
      const observer = new MutationObserver(() => {
        const now = performance.now() - t0;
        for (const el of document.querySelectorAll<HTMLElement>('section[data-testid^=panel-]')) {
          const id = el.dataset.testid ?? '';
          if (el.getAttribute('aria-busy') === 'true') seen.busy[id] = now;
          else if (seen.busy[id] !== undefined && seen.ready[id] === undefined) seen.ready[id] = now;
        }
        if (document.querySelector('[data-testid=panel-updating]')) seen.updating = true;
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
      (window as unknown as { __seen: typeof seen }).__seen = seen;
    });

    const category = page.locator('[data-testid=filters] details').filter({ hasText: '品类' }).first();
    await category.locator('summary').click();
    const chosen = ((await category.locator('label.option .value').first().textContent()) ?? '').trim();
    expect(chosen.length).toBeGreaterThan(0);
    await category.locator('input[type=checkbox]').first().click();
    await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ state: 'attached', timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll('section[data-testid^=panel-][aria-busy=true]').length === 0);

    const seen = (await page.evaluate(() => (window as unknown as { __seen: Seen }).__seen)) as Seen;
    // Every panel was marked while the change ran, and the one on screen got its numbers first.
    expect(Object.keys(seen.busy).sort()).toEqual(Object.keys(seen.ready).sort());
    expect(Object.keys(seen.busy)).toContain('panel-overview');
    expect(seen.updating).toBe(true);
    const clvReady = seen.ready['panel-clv'] as number;
    expect(clvReady).toBeDefined();
    for (const [id, at] of Object.entries(seen.ready)) if (id !== 'panel-clv') expect(at, id).toBeGreaterThanOrEqual(clvReady);
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
});
