/**
 * Popovers (a KPI's definition, a filter's choices, a chart's export menu) do not pile up:
 * one is open at a time, Esc closes it and gives the focus back to what opened it, and a
 * click elsewhere closes it.
 */
import { describe, expect, it } from 'vitest';
import { useApp } from './harness.ts';

describe('popovers', () => {
  const app = useApp();

  it('one at a time; Esc and a click elsewhere close them; Esc returns the focus', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    const openCount = () => page.locator('[data-testid=panel-overview] details[open], [data-testid=filters] details[open]').count();

    const defs = page.locator('[data-testid=panel-overview] details.def');
    expect(await defs.count()).toBeGreaterThan(1);
    await defs.nth(0).locator('summary').click();
    await defs.nth(1).locator('summary').click();
    expect(await defs.nth(0).getAttribute('open')).toBeNull();
    expect(await defs.nth(1).getAttribute('open')).not.toBeNull();
    expect(await openCount()).toBe(1);

    await page.keyboard.press('Escape');
    expect(await openCount()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');

    await defs.nth(0).locator('summary').click();
    expect(await openCount()).toBe(1);
    await page.locator('h1, h2, header').first().click({ position: { x: 2, y: 2 } });
    expect(await openCount()).toBe(0);

    // A filter's choices and a KPI's definition: opening one closes the other.
    const filter = page.locator('[data-testid=filters] details');
    if ((await filter.count()) > 0) {
      await defs.nth(0).locator('summary').click();
      await filter.first().locator('summary').click();
      expect(await defs.nth(0).getAttribute('open')).toBeNull();
      expect(await openCount()).toBe(1);
    }
    expect(session.pageErrors).toEqual([]);
  });
});
