import { describe, expect, it } from 'vitest';
import { fileStem } from '../../../src/lib/export/image.ts';

describe('fileStem', () => {
  it('keeps letters and digits of any script and joins the rest with "-"', () => {
    expect(fileStem('Top 20% of customers bring 76% of value')).toBe('Top-20-of-customers-bring-76-of-value');
    expect(fileStem('前 20% 的客户贡献了 76% 的消费额')).toBe('前-20-的客户贡献了-76-的消费额');
    expect(fileStem('“A”/B: ＡＢ')).toBe('A-B-AB');
  });

  it('falls back to "chart" and caps the length', () => {
    expect(fileStem('%%%')).toBe('chart');
    expect(fileStem('x'.repeat(100))).toHaveLength(60);
  });
});
