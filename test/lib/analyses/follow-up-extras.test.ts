/**
 * Contact fields and unused columns in the follow-up sheet and the customer list, from a
 * file loaded as the page loads it. The four customers of follow-up.test.ts (as_of
 * 2024-06-30, W 180, k 2, P 90; churn list by value_365: B 80, Y 20), with a name, a phone,
 * a score and two unused columns, 地址 and 备注:
 *
 *  cust  date   amount  客户名称  联系电话  评分  地址      备注
 *  B     05-30  40      B公司     138       5     北路1号   n1
 *  B     06-09  40      ''        139       5     南路2号   ''     ← B's latest line
 *  A     05-31  30      A店       ''        3     东路      x
 *  A     06-10  30      ''        ''        3     ''        ''     ← A's latest line
 *  Y     03-01  10      Y厂       137       2     西路3号   old
 *  Y     03-11  10      ''        ''        2     ''        last   ← Y's latest line
 *  Z     06-30  5       Z         136       ''    ''        ''
 *
 * Latest non-empty per field: B name B公司 (05-30), phone 139; Y name Y厂, phone 137 (both
 * from 03-01); A name A店, no phone. Unused cells of the latest line: B 南路2号 / (empty);
 * Y (empty) / last. Quadrants (high 4, loyal ≥ 2 orders): B 5 & 2 orders → loyalists,
 * A 3 & 2 → hostages, Y 2 & 2 → hostages, Z no score → none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { customerContacts } from '../../../src/lib/analyses/customer-info.ts';
import { customerListQuery } from '../../../src/lib/analyses/customer-list.ts';
import { followUpColumnNames, followUpQuery, keyClassPage, keyClassQuery } from '../../../src/lib/analyses/follow-up.ts';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import { parquetBlob } from '../../../src/lib/export/parquet.ts';
import { openQuery } from '../../../src/lib/export/stream.ts';
import { parquetInit } from '../export/fixture.ts';
import { buildKeyTable } from '../../../src/lib/analyses/key-customers.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { loadDataset } from '../../../src/lib/ingest/load.ts';
import { mappedOf } from '../../../src/lib/model/mapped.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { LIFECYCLE_PARAMS as P } from './lifecycle-fixture.ts';

const FILE = [
  '客户编码,开单日期,销售金额,客户名称,联系电话,评分,地址,备注',
  'B,2024-05-30,40,B公司,138,5,北路1号,n1',
  'B,2024-06-09,40,,139,5,南路2号,',
  'A,2024-05-31,30,A店,,3,东路,x',
  'A,2024-06-10,30,,,3,,',
  'Y,2024-03-01,10,Y厂,137,2,西路3号,old',
  'Y,2024-03-11,10,,,2,,last',
  'Z,2024-06-30,5,Z,136,,,',
].join('\n');

let db: NodeDb;
let mapped: Mapped;
beforeAll(async () => {
  db = await NodeDb.open();
  const report = await loadDataset(db, [{ name: 'erp.csv', bytes: new TextEncoder().encode(FILE) }]);
  mapped = mappedOf(report);
  await derive(db, DEFAULT_SETTINGS, mapped);
  await buildSegmentTables(db, P);
  await buildKeyTable(db);
});
afterAll(async () => {
  await db.close();
});

describe('contact fields and unused columns', () => {
  it('are named by the mapping and the report', () => {
    expect(mapped.contacts).toEqual(['name', 'phone']);
    expect(mapped.unused).toEqual([
      { label: '地址', sources: [{ file: 0, index: 0 }], contactLike: true },
      { label: '备注', sources: [{ file: 0, index: 1 }], contactLike: false },
    ]);
  });

  it('go into the follow-up sheet after the warning’s columns, from the latest line', async () => {
    const unused = mapped.unused ?? [];
    const rows = await db.query(followUpQuery({ kind: 'churn', sort: 'rank', descending: true }, false, { contacts: ['name', 'phone'], unused }));
    expect(rows.map((r) => [r.rank, r.customer_id, r.name, r.phone, r.unused_1, r.unused_2])).toEqual([
      [1, 'B', 'B公司', '139', '南路2号', null],
      [2, 'Y', 'Y厂', '137', null, 'last'],
    ]);
    expect(Object.keys(rows[0] ?? {}).slice(-4)).toEqual(['name', 'phone', 'unused_1', 'unused_2']);
    // Only the columns asked for: 备注 alone.
    const one = await db.query(followUpQuery({ kind: 'churn', sort: 'rank', descending: true }, true, { unused: unused.slice(1) }));
    expect(one.map((r) => [r.customer_id, r.category, r.unused_1])).toEqual([['B', null, null], ['Y', null, 'last']]);
    expect(Object.keys(one[0] ?? {})).not.toContain('name');
  });

  it('go into the customer list after the id, and the quadrant is written in the labels given', async () => {
    const base = { asOf: '2024-06-30', tierA: 0.8, tierB: 0.95, high: 4, loyalMinOrders: 2 };
    const labels = { loyalists: '忠诚者', mercenaries: '唯利者', hostages: '被迫者', defectors: '背离者' };
    const rows = await db.query(customerListQuery({ ...base, contacts: ['name', 'phone'], quadrantLabels: labels }));
    expect(rows.map((r) => [r.customer_id, r.name, r.phone, r.quadrant])).toEqual([
      ['B', 'B公司', '139', '忠诚者'],
      ['A', 'A店', null, '被迫者'],
      ['Y', 'Y厂', '137', '被迫者'],
      ['Z', 'Z', '136', null],
    ]);
    expect(Object.keys(rows[0] ?? {}).slice(0, 4)).toEqual(['customer_id', 'name', 'phone', 'rank']);
    // Without: the ids, and no contact column.
    const plain = await db.query(customerListQuery({ ...base, quadrant: 'hostages' }));
    expect(plain.map((r) => [r.customer_id, r.quadrant])).toEqual([['A', 'hostages'], ['Y', 'hostages']]);
    expect(Object.keys(plain[0] ?? {})).not.toContain('name');
  });

  it('go into the key-customer lists after the id', async () => {
    const all = await db.query(keyClassQuery(null, undefined, 0, ['name', 'phone']));
    expect(all.map((r) => [r.value_rank, r.customer_id, r.name, r.phone])).toEqual([
      [1, 'B', 'B公司', '139'],
      [2, 'A', 'A店', null],
      [3, 'Y', 'Y厂', '137'],
      [4, 'Z', 'Z', '136'],
    ]);
    expect(Object.keys(all[0] ?? {}).slice(0, 4)).toEqual(['value_rank', 'customer_id', 'name', 'phone']);
    const page = await keyClassPage(db, null, 1, 2, ['name']);
    expect(page.rows.map((r) => [r.customer_id, r.name])).toEqual([['Y', 'Y厂']]);
  });

  it('are read for a page of a list by id', async () => {
    const got = await customerContacts(db, ['Y', 'A', 'nobody']);
    expect([...got.values()]).toEqual([
      { customer_id: 'A', name: 'A店', phone: null, contact: null },
      { customer_id: 'Y', name: 'Y厂', phone: '137', contact: null },
    ]);
  });
});

describe('the follow-up sheet in a file that keeps column names', () => {
  it('names the unused columns by their labels, unique against the other columns', () => {
    const u = (label: string) => ({ label, sources: [{ file: 0, index: 0 }], contactLike: false });
    expect(followUpColumnNames(['rank', 'customer_id', 'name', 'unused_1', 'unused_2'], [u('地址'), u('备注')])).toEqual(['rank', 'customer_id', 'name', '地址', '备注']);
    // A label that is also a column's name (or a later label made so) is told apart.
    expect(followUpColumnNames(['customer_id', 'value', 'unused_1', 'unused_2'], [u('value'), u('value (2)')])).toEqual(['customer_id', 'value', 'value (2)', 'value (2) (2)']);
  });

  it('writes them so into the Parquet file, read back', async () => {
    const unused = mapped.unused ?? [];
    const source = await openQuery(db, followUpQuery({ kind: 'churn', sort: 'rank', descending: true }, false, { unused }));
    try {
      const names = followUpColumnNames(source.columns.map((c) => c.name), unused);
      const blob = await parquetBlob(source, parquetInit, { names });
      parquetInit();
      const t = tableFromIPC(readParquet(new Uint8Array(await blob.arrayBuffer())).intoIPCStream());
      expect(t.schema.fields.slice(-2).map((f) => f.name)).toEqual(['地址', '备注']);
      const ids = [...(t.getChild('customer_id')?.toArray() ?? [])] as string[];
      expect(t.getChild('备注')?.get(ids.indexOf('Y'))).toBe('last');
    } finally {
      await source.release();
    }
  });
});
