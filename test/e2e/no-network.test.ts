import { describe, expect, it } from 'vitest';
import { PANELS, useApp } from './harness.ts';

describe('no request leaves the page origin', () => {
  const app = useApp();

  it('from first paint through the demo load to every panel painted', async () => {
    const session = app();
    const page = await session.openApp();
    await page.locator('[data-testid=demo-button]').click();
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(PANELS);
    expect(session.offOrigin).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('when the demo loads from ?demo', async () => {
    const session = app();
    await session.openApp('demo');
    await session.waitForReport();
    expect(session.offOrigin).toEqual([]);
  });
});
