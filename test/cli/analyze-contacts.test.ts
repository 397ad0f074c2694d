/**
 * `analyze --customers` with contact fields: the mapping's name / phone / contact person go
 * after the id, each the customer's latest non-empty value; `--map` names a contact column.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type Run } from './run-cli.ts';

const analyze = (...args: string[]): Promise<Run> => runCli('analyze', ...args);

describe('analyze --customers with contact fields', () => {
  it('writes the latest non-empty name, phone and contact person after the id; --map names a contact column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-contacts-'));
    const sales = join(dir, 'erp.csv');
    // K1's latest line (03-01) has no name: the name of 02-01 (华东贸易有限公司). 对接人员 is no
    // synonym of a contact person; --map makes it one.
    writeFileSync(
      sales,
      [
        '单据编号,客户编码,客户名称,联系电话,开单日期,销售金额,成本金额,区域,对接人员',
        'XS1,K1,华东贸易,138-1,2024-01-05,100,80,华东,王',
        'XS2,K1,华东贸易有限公司,,2024-02-01,50,40,华东,',
        'XS3,K1,,139-2,2024-03-01,20,10,华东,',
        'XS4,K2,=cmd,137-3,2024-01-10,30,20,华北,李',
      ].join('\n'),
    );
    const file = join(dir, 'customers.csv');
    const run = await analyze(sales, '--map', 'contact=对接人员', '--customers', file);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFFcustomer_id,name,phone,contact,rank,value,')).toBe(true);
    const rows = text.trim().split('\r\n').slice(1).map((r) => r.split(',').slice(0, 5));
    // The formula guard applies to contact values too ('=cmd' is written as text).
    expect(rows).toEqual([
      ['K1', '华东贸易有限公司', '139-2', '王', '1'],
      ['K2', "'=cmd", '137-3', '李', '2'],
    ]);
  });
});
