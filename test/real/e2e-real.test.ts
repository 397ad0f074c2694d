/**
 * The page on a real export: all 541,909 lines of UCI Online Retail (Chen, Sain & Guo
 * 2012; CC BY 4.0) dropped into headless Chromium. Needs ../shared and a built dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { translate } from '../../src/lib/i18n/index.ts';
import { ROOT, useApp } from '../e2e/harness.ts';

const FILE = join(ROOT, '..', 'shared', 'data', 'online-retail', 'online_retail.csv');
const REPORT = '[data-testid=load-report]';

/** Data lines, and lines with a blank CustomerID (counted with a plain split, not the ingest). */
function independentCounts(): { lines: number; missingCustomer: number } {
  const text = readFileSync(FILE, 'utf8');
  const rows = text.split(/\r?\n/).slice(1).filter((l) => l !== '');
  let missing = 0;
  for (const row of rows) {
    // CustomerID and Country are the last two fields and never quoted in this file.
    const fields = row.split(',');
    if ((fields[fields.length - 2] ?? '').trim() === '') missing++;
  }
  return { lines: rows.length, missingCustomer: missing };
}

/**
 * The count the report gives for a reject reason: `[data-reason=…]`'s data-value when the
 * page marks it, else the number in the table row that names the reason (zh-CN text).
 */
async function rejectedFor(page: Page, reason: 'missing_customer_id'): Promise<number | null> {
  const marked = page.locator(`${REPORT} [data-reason=${reason}]`).first();
  if ((await marked.count()) > 0) return Number(await marked.getAttribute('data-value'));
  const row = page.locator(`${REPORT} tr`, { hasText: translate('zh-CN', `reject.${reason}`) }).first();
  if ((await row.count()) === 0) return null;
  const digits = (await row.locator('td').last().innerText()).replace(/\D/g, '');
  return digits === '' ? null : Number(digits);
}

describe.skipIf(!existsSync(FILE))('online_retail.csv in the page', () => {
  const app = useApp();

  it('maps the columns itself and accounts for every line, the guest lines as missing_customer_id', async () => {
    const expected = independentCounts();
    expect(expected).toEqual({ lines: 541_909, missingCustomer: 135_080 });

    const session = app();
    const page = await session.openApp();
    const t0 = performance.now();
    await session.dropFile(FILE);
    await session.waitForReport(240_000);
    const loadMs = performance.now() - t0;

    const read = await session.readMetric('rows_read', REPORT);
    const kept = await session.readMetric('rows_kept', REPORT);
    const rejected = await session.readMetric('rows_rejected', REPORT);
    const skipped = await session.readMetric('rows_skipped', REPORT);
    const missing = await rejectedFor(page, 'missing_customer_id');
    console.log(
      `online_retail.csv (${expected.lines} lines): load ${Math.round(loadMs)} ms; ` +
        `read ${read}, kept ${kept}, rejected ${rejected} (missing_customer_id ${missing}), skipped ${skipped}`,
    );

    expect(read).toBe(expected.lines);
    expect(missing).toBe(expected.missingCustomer);
    expect((kept ?? 0) + (rejected ?? 0) + (skipped ?? 0)).toBe(read);
    expect(await page.locator('[data-testid=ingest-error]').count()).toBe(0);
    const mapper = (await page.locator('[data-testid=column-mapping]').first().textContent()) ?? '';
    for (const label of ['CustomerID', 'InvoiceDate']) expect(mapper).toContain(label);
    await expect.poll(() => page.locator('[data-testid=continue]').isEnabled()).toBe(true);
    expect(session.offOrigin).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
