import { describe, expect, it } from 'vitest';
import { hasCjk, useApp } from './harness.ts';

describe('first screen', () => {
  const app = useApp();

  it('shows the file input, the survey input and the demo button, in Chinese and in English', async () => {
    const session = app();
    const page = await session.openApp();
    const input = page.locator('[data-testid=file-input]');
    await expect.poll(() => input.count()).toBe(1);
    expect(await input.getAttribute('type')).toBe('file');
    expect(await input.getAttribute('multiple')).not.toBeNull();
    expect(await page.locator('[data-testid=survey-input]').getAttribute('type')).toBe('file');

    const demo = page.locator('[data-testid=demo-button]');
    await demo.waitFor({ state: 'visible' });
    const zh = (await demo.innerText()).trim();
    expect(hasCjk(zh)).toBe(true);

    await page.locator('[data-testid=lang-switch]').click();
    await expect.poll(async () => (await demo.innerText()).trim()).not.toBe(zh);
    const en = (await demo.innerText()).trim();
    expect(hasCjk(en)).toBe(false);
    expect(en).toMatch(/[A-Za-z]{3}/);

    await page.locator('[data-testid=lang-switch]').click();
    await expect.poll(async () => (await demo.innerText()).trim()).toBe(zh);
    expect(session.pageErrors).toEqual([]);
  });
});
