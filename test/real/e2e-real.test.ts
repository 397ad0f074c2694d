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

/**
 * Data lines, lines with a blank CustomerID, the revenue those carry (units of 1e-4) and the
 * lines with a CustomerID that repeat an earlier one exactly (a plain split, not the ingest).
 */
function independentCounts(): { lines: number; missingCustomer: number; missingUnits: number; duplicates: number } {
  const text = readFileSync(FILE, 'utf8');
  const rows = text.split(/\r?\n/).slice(1).filter((l) => l !== '');
  let missing = 0;
  let missingUnits = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const units = (price: string) => {
    const [whole = '0', frac = ''] = price.replace(/^-/, '').split('.');
    const u = Number(whole) * 10_000 + Number(frac.padEnd(4, '0'));
    return price.startsWith('-') ? -u : u;
  };
  for (const row of rows) {
    // Quantity, InvoiceDate, UnitPrice, CustomerID and Country are the last five fields and
    // never quoted in this file (a Description may hold commas). Two bad-debt lines have a negative price.
    const fields = row.split(',');
    const n = fields.length;
    if ((fields[n - 2] ?? '').trim() === '') {
      missing++;
      missingUnits += Number(fields[n - 5]) * units(fields[n - 3] ?? '');
    } else if (seen.has(row)) duplicates++;
    else seen.add(row);
  }
  return { lines: rows.length, missingCustomer: missing, missingUnits, duplicates };
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
    expect(expected).toMatchObject({ lines: 541_909, missingCustomer: 135_080 });

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
    // The report says what the rejected rows carry and that the exact duplicates were kept.
    const revenue = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(expected.missingUnits / 10_000);
    expect(await page.locator(`${REPORT} [data-reason=missing_customer_id]`).innerText()).toContain(`涉及收入 ${revenue}`);
    expect(await page.locator('[data-testid=duplicates]').innerText()).toContain(`有 ${new Intl.NumberFormat('zh-CN').format(expected.duplicates)} 行`);
    const mapper = (await page.locator('[data-testid=column-mapping]').first().textContent()) ?? '';
    for (const label of ['CustomerID', 'InvoiceDate']) expect(mapper).toContain(label);
    await expect.poll(() => page.locator('[data-testid=continue]').isEnabled()).toBe(true);
    expect(session.offOrigin).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
