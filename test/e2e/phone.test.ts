/**
 * On a 390 × 844 phone screen no panel may make the document wider than the screen: wide
 * tables and charts scroll inside their card (the Pareto tier table once widened the page to
 * about 794 px). Every panel of the registry, on the demo data, in both languages. The
 * filters fold behind one button, KPIs sit two a row, the tabs stay on one scrolling line
 * and the storage chip keeps a word.
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

  it('folds the filters behind one button, puts two KPIs a row, keeps the tabs on one scrolling line and the storage chip in words', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await page.setViewportSize({ width: 390, height: 844 });
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);

    // Filters: folded until the button opens them; Esc folds them and gives the focus back.
    const toggle = page.locator('[data-testid=filters-toggle]');
    const form = page.locator('[data-testid=filters]');
    expect(await toggle.isVisible()).toBe(true);
    expect(await form.isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await form.isVisible()).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.locator('[data-testid=filters] input[type=date]').first().focus();
    await page.keyboard.press('Escape');
    expect(await form.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('filters-toggle');
    await toggle.click();
    expect(await form.isVisible()).toBe(true);

    // A chip names its selection, and the button counts the active filters.
    expect(await page.locator('[data-testid=filters-count]').count()).toBe(0);
    const region = form.locator('details.multi').nth(1);
    await region.locator('summary').click();
    const options = region.locator('label.option');
    const values = await options.locator('.value').allInnerTexts();
    expect(values.length).toBeGreaterThanOrEqual(3);
    await options.nth(0).locator('input').check();
    await expect.poll(() => region.locator('summary .count').innerText()).toBe(values[0]);
    await options.nth(1).locator('input').check();
    await options.nth(2).locator('input').check();
    await expect.poll(() => region.locator('summary .count').innerText()).toBe(`${values[0]} +2`);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=filters-count]').innerText()).toBe('1');
    await session.waitIdle();
    await toggle.click();
    expect(await form.isVisible()).toBe(false);
    await session.waitForPanels(['overview']);

    // Two KPIs a row in every panel that has a KPI grid.
    let grids = 0;
    for (const p of PANELS) {
      await session.waitForPanels([p]);
      const rows = await page.evaluate((id) => {
        const grids = [...document.querySelectorAll(`[data-testid=panel-${id}] .ll-kpis`)];
        return grids.map((g) => {
          const tops = new Map<number, number>();
          for (const c of g.children) {
            const top = Math.round(c.getBoundingClientRect().top);
            tops.set(top, (tops.get(top) ?? 0) + 1);
          }
          return { kpis: g.children.length, widest: Math.max(...tops.values()) };
        });
      }, p);
      for (const r of rows) expect(r.widest, `${p}: ${JSON.stringify(rows)}`).toBe(Math.min(2, r.kpis));
      grids += rows.filter((r) => r.kpis >= 2).length;
    }
    expect(grids).toBeGreaterThanOrEqual(PANELS.length - 2);

    // The tabs: one line that scrolls sideways.
    const tabs = await page.evaluate(() => {
      const list = document.querySelector('[role=tablist]') as HTMLElement;
      const tops = new Set([...list.querySelectorAll('[role=tab]')].map((t) => Math.round(t.getBoundingClientRect().top)));
      return { lines: tops.size, scrollWidth: list.scrollWidth, clientWidth: list.clientWidth, overflowX: getComputedStyle(list).overflowX };
    });
    expect(tabs.lines).toBe(1);
    expect(tabs.scrollWidth).toBeGreaterThan(tabs.clientWidth);
    expect(tabs.overflowX).toBe('auto');

    // The storage chip shows a word, on one line, inside the screen.
    const chip = page.locator('[data-testid=storage-indicator] button');
    await chip.waitFor({ state: 'visible' });
    const c = await chip.evaluate((b) => {
      const words = [...b.querySelectorAll('span')].find((s) => getComputedStyle(s).display !== 'none' && s.getBoundingClientRect().width > 1);
      const r = b.getBoundingClientRect();
      const lineHeight = parseFloat(getComputedStyle(b).fontSize) * 1.6;
      return { text: words?.textContent?.trim() ?? '', lines: words ? words.getClientRects().length : 0, height: words?.getBoundingClientRect().height ?? 0, lineHeight, right: r.right, sw: b.scrollWidth, cw: b.clientWidth };
    });
    expect(c.text.length).toBeGreaterThan(1);
    expect(c.lines).toBe(1);
    expect(c.height).toBeLessThan(c.lineHeight);
    expect(c.sw).toBeLessThanOrEqual(c.cw);
    expect(c.right).toBeLessThanOrEqual(390);
    expect(session.pageErrors).toEqual([]);
  });
});
