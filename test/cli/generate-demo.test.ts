import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEMO_DIR,
  DEMO_OPTIONS,
  SALES_HEADER,
  dayWeight,
  generateDemo,
  generateSales,
  mulberry32,
} from '../../src/cli/generate-demo.ts';

function take(lines: Iterable<string>, n: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (out.length === n) break;
    out.push(line);
  }
  return out;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('mulberry32', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('dayWeight', () => {
  it('peaks on 双11 and 618 and dips around 春节', () => {
    expect(dayWeight(Date.UTC(2023, 10, 11))).toBe(6);
    expect(dayWeight(Date.UTC(2024, 5, 18))).toBe(4);
    expect(dayWeight(Date.UTC(2024, 1, 10))).toBe(0.35); // 春节 2024
    expect(dayWeight(Date.UTC(2023, 0, 15))).toBe(0.35); // 7 days before 春节 2023
    expect(dayWeight(Date.UTC(2023, 2, 8))).toBe(1); // a Wednesday in March
    expect(dayWeight(Date.UTC(2023, 2, 11))).toBe(1.15); // a Saturday
  });
});

describe('generateSales', () => {
  it('is deterministic: same seed, same lines; another seed, other lines', () => {
    const first = sha(take(generateSales({ seed: 1, lines: 2000 }), 2001).join('\n'));
    expect(sha(take(generateSales({ seed: 1, lines: 2000 }), 2001).join('\n'))).toBe(first);
    expect(sha(take(generateSales({ seed: 2, lines: 2000 }), 2001).join('\n'))).not.toBe(first);
  });

  it('writes the header then exactly the requested number of complete lines', () => {
    const lines = [...generateSales({ seed: 3, lines: 5000 })];
    expect(lines[0]).toBe(SALES_HEADER.join(','));
    expect(lines).toHaveLength(5001);
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      expect(f).toHaveLength(12);
      expect(f[1]).toMatch(/^C\d{5,}$/);
      expect(f[2]).toMatch(/^20(23|24)-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(Number.isFinite(Number(f[9]))).toBe(true);
    }
  });

  it('keeps each order on one customer and one timestamp', () => {
    const byOrder = new Map<string, string>();
    for (const line of [...generateSales({ seed: 4, lines: 3000 })].slice(1)) {
      const [order, customer, ts] = line.split(',');
      const key = `${customer}|${ts}`;
      const seen = byOrder.get(order ?? '');
      if (seen !== undefined) expect(seen).toBe(key);
      else byOrder.set(order ?? '', key);
    }
  });
});

describe('demo data', () => {
  const demo = generateDemo(DEMO_OPTIONS);
  const rows = demo.sales.slice(1).split('\r\n').slice(1, -1);

  it('is what public/demo holds (regenerate with `npm run demo:generate`)', async () => {
    const sales = await readFile(join(DEMO_DIR, 'sales.csv'), 'utf8');
    const survey = await readFile(join(DEMO_DIR, 'survey.csv'), 'utf8');
    expect(sha(sales)).toBe(sha(demo.sales));
    expect(sha(survey)).toBe(sha(demo.survey));
  });

  it('has a BOM, the Chinese header, a size of 25–35 k lines and under 3 MB', () => {
    expect(demo.sales.startsWith('\uFEFF订单号,客户ID,下单时间,')).toBe(true);
    expect(rows.length).toBeGreaterThan(25_000);
    expect(rows.length).toBeLessThan(35_000);
    expect(Buffer.byteLength(demo.sales)).toBeLessThan(3 * 1024 * 1024);
  });

  it('carries exactly one blank row and two rows without a customer id', () => {
    expect(rows.filter((r) => r === '')).toHaveLength(1);
    expect(rows.filter((r) => r !== '' && r.split(',')[1] === '')).toHaveLength(2);
  });

  it('has 2–3 % return lines and most customers buying once', () => {
    const data = rows.filter((r) => r !== '').map((r) => r.split(','));
    const returns = data.filter((f) => Number(f[9]) < 0).length;
    expect(returns / data.length).toBeGreaterThan(0.02);
    expect(returns / data.length).toBeLessThan(0.03);
    const orders = new Map<string, Set<string>>();
    for (const f of data) {
      if (!f[1] || Number(f[9]) < 0) continue;
      const set = orders.get(f[1]) ?? new Set<string>();
      set.add(f[0] ?? '');
      orders.set(f[1], set);
    }
    const once = [...orders.values()].filter((s) => s.size === 1).length;
    expect(once / orders.size).toBeGreaterThan(0.5);
    expect(once / orders.size).toBeLessThan(0.6);
  });

  it('has survey scores on a 0–10 scale for a subset of customers', () => {
    const survey = demo.survey.slice(1).split('\r\n').slice(1, -1).map((r) => r.split(','));
    expect(survey.length).toBeGreaterThan(800);
    for (const [, score, date] of survey) {
      expect(Number(score) >= 0 && Number(score) <= 10).toBe(true);
      expect(date).toMatch(/^20(23|24)-\d\d-\d\d$/);
    }
  });
});
