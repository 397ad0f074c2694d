/**
 * Sharing a view: "Copy link" puts the address (the view, never data) on the clipboard or,
 * where the clipboard is refused, shows it selected; a link opened without the data says
 * which view it shows and what to drop.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useApp } from './harness.ts';

describe('sharing a view', () => {
  const app = useApp();

  it('a shared link without data names its view and filters; Copy link gives the address back', async () => {
    const session = app();
    const page = await session.openApp('v=1&lang=en&panel=pareto&from=2024-07-01&to=2024-12-31');
    const banner = page.locator('[data-testid=share-banner]');
    await banner.waitFor();
    const text = await banner.innerText();
    expect(text).toContain('Pareto');
    expect(text).toContain('2024-07-01 – 2024-12-31');

    // Dropping the file opens the shared view itself (not the load report), filters applied.
    await session.dropFile(join(ROOT, 'public', 'demo', 'sales.csv'));
    await session.waitForDashboard();
    expect(await banner.count()).toBe(0);
    expect(await page.locator('[data-testid=load-report]').count()).toBe(0);
    expect(await page.locator('[data-testid=tab-pareto]').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid=filters] input[type=date]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['2024-07-01', '2024-12-31']);
    await session.waitForPanels(['pareto']);
    // The load report is a click away, and leads back to the same view.
    await page.locator('[data-testid=open-load-report]').click();
    await page.locator('[data-testid=load-report]').waitFor();
    await page.locator('[data-testid=continue]').click();
    await session.waitForDashboard();
    expect(await page.locator('[data-testid=tab-pareto]').getAttribute('aria-selected')).toBe('true');

    await page.locator('[data-testid=copy-link]').click();
    const done = page.locator('[data-testid=copy-link-done]');
    const manual = page.locator('[data-testid=copy-link-text]');
    await done.or(manual).first().waitFor();
    if ((await manual.count()) > 0) expect(await manual.inputValue()).toBe(page.url());
    else {
      await page.context().grantPermissions(['clipboard-read'], { origin: new URL(page.url()).origin });
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
    }
    expect(page.url()).toContain('panel=pareto');
    expect(page.url()).toContain('from=2024-07-01');
    expect(session.pageErrors).toEqual([]);
  });
});
