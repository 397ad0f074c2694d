import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, useApp } from './harness.ts';

const REPORT = '[data-testid=load-report]';

describe('load report in plain words', () => {
  const app = useApp();

  it('says duplicates were kept, removes them on request, and shows what rejected rows hold', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(FIXTURES, 'duplicates_and_rejects.csv'));
    await session.waitForReport();
    expect(await session.readMetric('rows_read', REPORT)).toBe(7);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(5);

    const dups = page.locator('[data-testid=duplicates]');
    expect(await dups.innerText()).toContain('有 2 行与前面某一行完全相同');
    expect(await dups.innerText()).toContain('已保留');

    // 30.25 + (−5.10) = 25.15 on the two rows without a customer id.
    const reason = page.locator('tr[data-reason=missing_customer_id]');
    expect(await reason.innerText()).toContain('涉及收入 25.15');
    expect(await page.locator('[data-testid=unused-columns]').innerText()).toBe('未使用的列：备注、地址');

    // The value column says the cell was empty; the line is shown as text, never as HTML.
    const firstRow = page.locator(`${REPORT} tbody tr`).filter({ hasText: '30.25' }).first();
    expect(await firstRow.innerText()).toContain('（空）');
    expect(await firstRow.innerText()).toContain(',2024-01-07,30.25,<img src=x onerror=alert(1)>,广州');
    expect(await page.locator(`${REPORT} img`).count()).toBe(0);

    await page.locator('[data-testid=remove-duplicates]').click();
    await page.locator('[data-testid=duplicates]', { hasText: '已删除 2 行' }).waitFor({ timeout: 60_000 });
    await session.waitForReport();
    expect(await session.readMetric('rows_read', REPORT)).toBe(7);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(3);
    expect(await session.readMetric('rows_rejected', REPORT)).toBe(2);
    expect(await session.readMetric('rows_skipped', REPORT)).toBe(2);
    expect(await page.locator('[data-testid=remove-duplicates]').count()).toBe(0);
    expect(await page.locator(REPORT).innerText()).toContain('与前面某行完全重复（已删除）');
    expect(session.pageErrors).toEqual([]);
  });

  it('the demo: no byte-order-mark warning, the survey date is called so, metric ids only on request', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    const report = await page.locator(REPORT).innerText();
    expect(report).not.toContain('字节顺序标记');
    expect(report).not.toContain('BOM');
    const surveyCard = page.locator(`${REPORT} article`).filter({ hasText: 'survey.csv' });
    const surveyMapping = await surveyCard.locator('[data-testid=column-mapping]').innerText();
    expect(surveyMapping).toContain('调查日期');
    expect(surveyMapping).not.toContain('下单日期');

    await page.locator('[data-testid=continue]').first().click();
    const keys = page.locator('[data-testid=key-numbers]');
    await keys.waitFor({ timeout: 60_000 });
    expect(await keys.locator('thead th').count()).toBe(2);
    expect(await keys.innerText()).not.toContain('repurchase_rate');
    await page.locator('[data-testid=show-metric-ids]').check();
    expect(await keys.locator('thead th').count()).toBe(3);
    expect(await keys.innerText()).toContain('repurchase_rate');
    expect(session.pageErrors).toEqual([]);
  });
});
