/**
 * On a 390 × 844 phone screen no panel may make the document wider than the screen: wide
 * tables and charts scroll inside their card (the Pareto tier table once widened the page to
 * about 794 px). Every panel of the registry, on the demo data, in both languages.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PANELS, ROOT, useApp } from './harness.ts';

describe('a 390 px phone', () => {
  const app = useApp();

  it('no panel is wider than the screen, in Chinese or in English', async () => {
    const session = app();
    const page = await session.openApp();
    await page.setViewportSize({ width: 390, height: 844 });
    await session.dropSurvey(join(ROOT, 'public', 'demo', 'survey.csv'));
    await session.dropFile(join(ROOT, 'public', 'demo', 'sales.csv'));
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    const wide: string[] = [];
    for (const lang of ['zh-CN', 'en'] as const) {
      if (lang === 'en') await page.locator('[data-testid=lang-switch]').first().click();
      for (const p of PANELS) {
        await session.waitForPanels([p]);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 390) wide.push(`${lang} ${p}: ${width}px`);
      }
    }
    expect(wide).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
