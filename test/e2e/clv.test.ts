/**
 * The lifetime-value panel in the built page: the CDNOW 1/10 sample (test/fixtures/clv)
 * dropped in, customer = sample id (mapped through the link), the calibration end set to
 * 1997-09-30 in the panel, and the fits read from the page's `data-metric` / `data-value`:
 * the published BG/NBD parameters (Fader, Hardie & Lee 2005), fitted in the Web Worker.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useApp } from './harness.ts';

const CDNOW = join(ROOT, 'test', 'fixtures', 'clv', 'cdnowElog.csv');
const LINK = 'v=1&m.customer=sampleid&m.date=date&m.amount=sales';

describe('lifetime value in the page', () => {
  const app = useApp({ locale: 'en' });

  it('fits the published CDNOW parameters after the calibration end is set', async () => {
    const session = app();
    const page = await session.openApp(LINK);
    await session.dropFile(CDNOW);
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await page.locator('[data-testid=tab-clv]').click();
    const panel = '[data-testid=panel-clv]';
    await page.locator(`${panel} [data-metric=bgnbd_r]`).waitFor({ state: 'visible', timeout: 60_000 });
    // Without a calibration end there is no holdout.
    expect(await page.locator(`${panel} [data-metric=clv_holdout_actual]`).count()).toBe(0);

    await page.locator('[data-testid=setting-calibration-end]').fill('1997-09-30');
    await page.locator('[data-testid=setting-calibration-end]').dispatchEvent('change');
    await page.locator(`${panel} [data-metric=clv_holdout_actual]`).waitFor({ state: 'visible', timeout: 60_000 });
    await session.waitIdle();
    expect(page.url()).toContain('cal=1997-09-30');

    const m = async (id: string) => session.readMetric(id, panel);
    const rel = (v: number | null, expected: number) => Math.abs((v ?? Number.NaN) - expected) / expected;
    expect(rel(await m('bgnbd_r'), 0.2426)).toBeLessThanOrEqual(0.001);
    expect(rel(await m('bgnbd_alpha'), 4.4136)).toBeLessThanOrEqual(0.001);
    expect(rel(await m('bgnbd_a'), 0.7929)).toBeLessThanOrEqual(0.001);
    expect(rel(await m('bgnbd_b'), 2.4259)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(((await m('bgnbd_ll')) ?? 0) - -9582.43)).toBeLessThanOrEqual(0.01);
    expect(await m('clv_customers')).toBe(2357);
    expect(rel(await m('gg_p'), 6.25)).toBeLessThanOrEqual(0.001);
    expect(await m('clv_total')).toBeGreaterThan(0);
    // The charts are drawn (holdout by x and week by week among them).
    for (const id of ['clv-p-alive', 'clv-distribution', 'clv-grid-alive', 'clv-holdout-x', 'clv-cumulative', 'clv-top']) {
      await page.locator(`${panel} [data-testid=chart-${id}] svg`).first().waitFor({ state: 'visible', timeout: 30_000 });
    }

    // A calibration end after the as-of date (1998-06-30) is taken as the as-of date, and the page says so.
    await page.locator('[data-testid=setting-calibration-end]').fill('1999-01-01');
    await page.locator('[data-testid=setting-calibration-end]').dispatchEvent('change');
    await page.locator('[data-testid=clv-calibration-clamped]').waitFor({ state: 'visible', timeout: 60_000 });
    await session.waitIdle();
    expect(await page.locator(`${panel} [data-metric=clv_holdout_actual]`).count()).toBe(0);
    expect(await m('clv_customers')).toBe(2357);
    expect(session.pageErrors).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  });

  it('says why, in both languages, when the models refuse, and shows no numbers', async () => {
    const session = app();
    const page = await session.openApp(`${LINK}&cal=1997-01-01&panel=clv`);
    await session.dropFile(CDNOW);
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    const refusal = page.locator('[data-testid=clv-refused-bgnbd]');
    await refusal.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await refusal.getAttribute('data-reason')).toBe('too-few-repeat-customers');
    const en = (await refusal.innerText()).trim();
    expect(en).toContain('only 0 customers bought again');
    expect(await page.locator('[data-testid=panel-clv] [data-metric]').count()).toBe(0);
    await page.locator('[data-testid=lang-switch]').click();
    await expect.poll(async () => (await refusal.innerText()).trim()).not.toBe(en);
    expect(await refusal.innerText()).toContain('至少需要 20 位');
    expect(session.pageErrors).toEqual([]);
  });
});
