import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { ident, join, literal, quoteIdentifier, raw, sql } from '../../../src/lib/db/sql.ts';

describe('sql tag', () => {
  it('binds interpolated values as parameters and inlines fragments', () => {
    const inner = sql`x = ${5}`;
    const q = sql`SELECT * FROM ${ident('t')} WHERE ${inner} AND y = ${'a'}`;
    expect(q.text).toBe('SELECT * FROM "t" WHERE x = ? AND y = ?');
    expect(q.params).toEqual([5, 'a']);
  });
  it('quotes identifiers so that no name breaks out', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(() => quoteIdentifier('')).toThrow();
  });
  it('refuses non-finite numbers', () => {
    expect(() => sql`SELECT ${Number.NaN}`).toThrow(/non-finite/);
  });
  it('joins parts and escapes literals', () => {
    expect(join([raw('a'), 1, raw('b')]).text).toBe('a, ?, b');
    expect(literal("it's").text).toBe("'it''s'");
  });
});

describe('NodeDb', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });
  it('runs bound queries and returns plain numbers for DECIMAL and BIGINT', async () => {
    const rows = await db.query(sql`SELECT ${'x'} AS s, 7.25::DECIMAL(10,2) AS d, 9007199254740993::BIGINT AS b`);
    expect(rows).toEqual([{ s: 'x', d: 7.25, b: 9007199254740992 }]);
  });
  it('reads a registered buffer with read_csv', async () => {
    const path = await db.registerBuffer(new TextEncoder().encode('a,b\n1,二\n'));
    const rows = await db.query(`SELECT * FROM read_csv(${literal(path).text}, header=true, all_varchar=true)`);
    expect(rows).toEqual([{ a: '1', b: '二' }]);
    await db.dropBuffer(path);
  });
  it('runs on the engine version the browser embeds', async () => {
    const [row] = await db.query('SELECT version() AS v');
    expect(row?.v).toBe('v1.4.3');
  });
});
