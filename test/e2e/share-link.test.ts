/**
 * A shared link reproduces the view and never carries data: settings changed on the demo,
 * the URL checked against every customer id and amount of the demo file, then the same
 * file loaded in a fresh context from that URL must show the same numbers and settings.
 * Malformed, hostile and foreign-version links fall back to the defaults with a notice.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AppSession, DIST, ROOT, useApp } from './harness.ts';

const SALES = join(ROOT, 'public', 'demo', 'sales.csv');
const SURVEY = join(ROOT, 'public', 'demo', 'survey.csv');

/** Customer ids (客户ID) and amount strings (单价, 实付金额, 成本) as written in the demo file. */
function demoSecrets(): { ids: Set<string>; amounts: Set<string> } {
  const lines = readFileSync(SALES, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const col = (label: string): number => header.indexOf(label);
  const idCol = col('客户ID');
  const amountCols = ['单价', '实付金额', '成本'].map(col);
  expect([idCol, ...amountCols].every((c) => c >= 0)).toBe(true);
  const ids = new Set<string>();
  const amounts = new Set<string>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const id = cells[idCol]?.trim();
    if (id) ids.add(id);
    for (const c of amountCols) {
      const a = cells[c]?.trim();
      if (a) amounts.add(a);
    }
  }
  return { ids, amounts };
}

const SETTING_IDS = [
  'setting-as-of', 'setting-churn-window', 'setting-tier-a', 'setting-tier-b', 'setting-top-share',
  'setting-cohort-period', 'setting-retention-mode', 'setting-retention-measure', 'setting-loyal-min',
];

async function settle(page: Page): Promise<void> {
  await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=dashboard] [data-metric="customers"]').first().waitFor({ state: 'attached', timeout: 60_000 });
}

async function openTab(page: Page, panel: string): Promise<void> {
  await page.locator(`[data-testid=tab-${panel}]`).click();
}

async function setInput(page: Page, testid: string, value: string): Promise<void> {
  const input = page.locator(`[data-testid=${testid}]`);
  await input.fill(value);
  await input.dispatchEvent('change');
  await settle(page);
}

async function setSelect(page: Page, testid: string, value: string): Promise<void> {
  await page.locator(`[data-testid=${testid}]`).selectOption(value);
  await settle(page);
}

/** Every metric on the page, in document order (hidden panels included). */
async function metrics(page: Page): Promise<[string, string][]> {
  return page.$$eval('[data-metric]', (els) => els.map((e) => [e.getAttribute('data-metric') ?? '', e.getAttribute('data-value') ?? '']));
}

/** The value of each setting control and the checked filter values. */
async function controls(page: Page): Promise<Record<string, string | string[]>> {
  const out: Record<string, string | string[]> = {};
  for (const id of SETTING_IDS) {
    const el = page.locator(`[data-testid=${id}]`);
    if ((await el.count()) > 0) out[id] = await el.first().inputValue();
  }
  out.filters = await page.$$eval('[data-testid=filters] input[type=checkbox]:checked', (els) =>
    els.map((e) => e.closest('label')?.textContent?.trim() ?? ''),
  );
  out.lang = await page.evaluate(() => document.documentElement.lang);
  return out;
}

async function toDashboard(session: AppSession): Promise<Page> {
  await session.waitForReport();
  await session.page.locator('[data-testid=continue]').first().click();
  await settle(session.page);
  return session.page;
}

describe('share link', () => {
  const app = useApp();

  it('reproduces the view in a fresh context and carries no customer id or amount', async () => {
    const session = app();
    let page = await session.openApp();
    await page.locator('[data-testid=demo-button]').click();
    page = await toDashboard(session);

    const asOf = await page.locator('[data-testid=setting-as-of]').inputValue();
    expect(asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const earlier = new Date(Date.parse(`${asOf}T00:00:00Z`) - 45 * 86_400_000).toISOString().slice(0, 10);
    await setInput(page, 'setting-as-of', earlier);
    await setInput(page, 'setting-churn-window', '120');
    await openTab(page, 'pareto');
    await setInput(page, 'setting-tier-a', '70');
    await openTab(page, 'retention');
    await setSelect(page, 'setting-cohort-period', 'quarter');
    await setSelect(page, 'setting-retention-mode', 'on_or_after');
    // The first value of the category filter (its label is 品类 in Chinese, Category in English).
    const category = page.locator('[data-testid=filters] details').filter({ hasText: '品类' }).first();
    await category.locator('summary').click();
    const box = category.locator('input[type=checkbox]').first();
    const chosen = ((await category.locator('label.option .value').first().textContent()) ?? '').trim();
    expect(chosen.length).toBeGreaterThan(0);
    await box.check();
    await settle(page);
    await category.locator('summary').click();
    await page.locator('[data-testid=lang-switch]').click();
    await settle(page);

    const url = page.url();
    const search = new URL(url).search;
    const decoded = decodeURIComponent(search.replaceAll('+', ' '));
    expect(decoded).toContain(`asof=${earlier}`);
    expect(decoded).toContain('churn=120');
    expect(decoded).toContain('tierA=0.7');
    expect(decoded).toContain('cohort=quarter');
    expect(decoded).toContain('rmode=on_or_after');
    expect(decoded).toContain(`f.category=${chosen}`);
    expect(decoded).toContain('lang=en');
    const { ids, amounts } = demoSecrets();
    expect(ids.size).toBeGreaterThan(1000);
    expect(amounts.size).toBeGreaterThan(100);
    const leaked = [...ids, ...amounts].filter((s) => search.includes(s) || decoded.includes(s));
    expect(leaked).toEqual([]);

    const before = await metrics(page);
    const beforeControls = await controls(page);
    expect(before.length).toBeGreaterThan(10);
    expect(beforeControls).toMatchObject({ 'setting-churn-window': '120', 'setting-tier-a': '70', 'setting-cohort-period': 'quarter', lang: 'en' });
    expect(session.pageErrors).toEqual([]);

    // A fresh context, the same link (without the demo flag), and the files handed over by hand.
    const query = search.replace(/([?&])demo(&|$)/, (_m, a: string, b: string) => (b ? a : '')).replace(/^\?/, '');
    expect(query).not.toMatch(/(^|&)demo(&|$)/);
    const again = await session.openApp(query);
    await session.dropSurvey(SURVEY);
    await session.dropFile(SALES);
    await toDashboard(session);
    await openTab(again, 'pareto');
    await openTab(again, 'retention');
    expect(await controls(again)).toEqual(beforeControls);
    expect(await metrics(again)).toEqual(before);
    expect(session.pageErrors).toEqual([]);
    expect(session.offOrigin).toEqual([]);
  }, 240_000);

  it('a hostile link falls back to the defaults and says so', async () => {
    const session = app();
    const page = await session.openApp('v=1&asOf=<script>&churn=-5&tierA=9&panel=../../x');
    const notice = page.locator('[data-testid=url-notice]');
    await notice.waitFor({ timeout: 30_000 });
    const text = await notice.innerText();
    for (const key of ['churn', 'tierA', 'panel']) expect(text).toContain(key);
    expect(await page.locator('script:not([src])').evaluateAll((els) => els.filter((e) => e.textContent?.includes('<script>')).length)).toBe(0);
    await page.locator('[data-testid=demo-button]').click();
    await toDashboard(session);
    expect(await page.locator('[data-testid=setting-churn-window]').inputValue()).toBe('180');
    await openTab(page, 'pareto');
    expect(await page.locator('[data-testid=setting-tier-a]').inputValue()).toBe('80');
    expect(await page.locator('[data-testid=tab-pareto]').getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).search).not.toMatch(/churn|tierA|panel=\.\.|script/i);
    expect(session.pageErrors).toEqual([]);
  }, 180_000);

  it('a link of another version is not used, with a notice', async () => {
    const session = app();
    const page = await session.openApp('v=99&churn=30&lang=en');
    const notice = page.locator('[data-testid=url-notice]');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/另一版本|其他版本/);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  }, 60_000);

  it('an ordinary link shows no notice', async () => {
    const session = app();
    const page = await session.openApp('v=1&churn=90');
    await page.locator('[data-testid=demo-button]').waitFor();
    expect(await page.locator('[data-testid=url-notice]').count()).toBe(0);
  }, 60_000);
});

describe('published summary (aggregates only)', () => {
  it('disables the controls that would need a new query and says why; no customer exports', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { publish } = await import('../../src/cli/publish.ts');
    const out = join(mkdtempSync(join(tmpdir(), 'share-agg-')), 'site');
    await publish([join(ROOT, 'test/fixtures/cli/sales_gb18030.csv'), '--aggregates-only', '--page', DIST, '--out', out]);
    const session = await AppSession.start({ outDir: out });
    try {
      const page = await session.openApp('v=1&churn=30&panel=pareto');
      await page.locator('[data-testid=published][data-mode=aggregates]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=dashboard] [data-metric="customers"]').first().waitFor({ state: 'attached', timeout: 60_000 });
      // Every panel's view is loaded on its own (the first screen waits for none): wait for the last one's setting.
      await page.locator('[data-testid=setting-discount]').waitFor({ state: 'attached', timeout: 60_000 });
      const state = await page.evaluate(() => ({
        settings: [...document.querySelectorAll<HTMLInputElement>('[data-testid^="setting-"]')].map((e) => [e.dataset.testid, e.disabled, e.getAttribute('aria-describedby')]),
        filters: [...document.querySelectorAll<HTMLInputElement>('[data-testid=filters] input')].map((e) => e.disabled),
        exports: document.querySelectorAll('[data-testid=export-run], [data-testid^=export-tier-], [data-testid^=export-quadrant-], [data-testid=report-include-customers]').length,
        // No customer list opens from a table row, a button or a chart mark.
        drills: document.querySelectorAll('[data-testid^=drill-], [data-testid=row-customers], [data-testid=dashboard] svg a').length,
        tabsEnabled: [...document.querySelectorAll<HTMLButtonElement>('[role=tab]')].every((t) => !t.disabled),
      }));
      expect(state.settings.length).toBeGreaterThanOrEqual(9);
      expect(state.settings.filter(([, disabled, note]) => !disabled || note !== 'pub-frozen-note')).toEqual([]);
      expect(state.filters.length).toBeGreaterThanOrEqual(2);
      expect(state.filters.every(Boolean)).toBe(true);
      expect(state.exports).toBe(0);
      expect(state.drills).toBe(0);
      expect(state.tabsEnabled).toBe(true);
      expect(await page.locator('#pub-frozen-note').innerText()).toBe('这些设置在发布汇总时已固定。');
      expect(await page.locator('[data-testid=needs-rows]').innerText()).toContain('需要客户级数据');
      // The link's churn window is not applied to numbers computed for the published settings.
      expect(await page.locator('[data-testid=setting-churn-window]').inputValue()).toBe('180');
      expect(session.pageErrors).toEqual([]);
    } finally {
      await session.close();
      rmSync(dirname(out), { recursive: true, force: true });
    }
  }, 120_000);
});
