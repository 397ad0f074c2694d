/**
 * On a 1440 px desktop screen in English (the longer headings) the Pareto tier table fits its
 * card: its Export customers buttons were once pushed past the card's edge, cut to "Exp".
 */
import { describe, expect, it } from 'vitest';
import { useApp } from './harness.ts';

describe('a 1440 px desktop screen', () => {
  const app = useApp({ locale: 'en' });

  it('shows every button of the tier table whole, inside the card', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await page.setViewportSize({ width: 1440, height: 900 });
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['pareto']);
    const table = page.locator('[data-testid=panel-pareto] .tier-value table');
    await table.scrollIntoViewIfNeeded();
    const got = await table.evaluate((t) => {
      const card = t.closest('.ll-card') ?? t.parentElement;
      const scroller = t.parentElement;
      if (!card || !scroller) return null;
      const box = card.getBoundingClientRect();
      const view = scroller.getBoundingClientRect();
      return [...t.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        return {
          text: b.textContent?.trim() ?? '',
          whole: b.scrollWidth <= b.clientWidth,
          inCard: r.left >= box.left && r.right <= box.right,
          inView: r.left >= view.left && r.right <= view.right,
        };
      });
    });
    expect(got).not.toBeNull();
    // Per tier: its customer list and their export.
    expect(got?.map((b) => b.text).sort()).toEqual([...Array(3).fill('Customers'), ...Array(3).fill('Export customers')]);
    for (const b of got ?? []) expect(b).toEqual({ text: b.text, whole: true, inCard: true, inView: true });
    expect(session.pageErrors).toEqual([]);
  });
});
