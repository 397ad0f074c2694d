/**
 * A date filter about as long as the churn window makes nearly every buyer "active": the
 * Overview says so beside the active/lapsed numbers, and says nothing without such a filter.
 */
import { describe, expect, it } from 'vitest';
import { useApp } from './harness.ts';

describe('the active/lapsed split under a short date filter', () => {
  const app = useApp();

  it('is flagged when the filter keeps about the churn window (2024-07 … 2024-12 against 180 days), not otherwise', async () => {
    const session = app();
    const page = await session.openApp('v=1&demo&from=2024-07-01&to=2024-12-31');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    const note = page.locator('[data-testid=filter-churn-window]');
    await note.waitFor();
    // 2024-07-01 … 2024-12-31: 184 days.
    expect(await note.innerText()).toContain('184');

    expect(session.pageErrors).toEqual([]);

    const page2 = await session.openApp('demo');
    await session.waitForReport();
    await page2.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    expect(await page2.locator('[data-testid=filter-churn-window]').count()).toBe(0);
  });
});
