import type { LoadReport } from '../ingest/types.ts';
import type { Mapped } from './derive.ts';
import type { Dimension } from './schema.ts';

/** Which optional columns the loaded sales files carry: what the analyses can break down by. */
export function mappedOf(report: Pick<LoadReport, 'files'>): Mapped {
  const sales = report.files.filter((f) => f.role === 'sales');
  const has = (field: 'category' | 'region' | 'channel' | 'order') => sales.some((f) => f.mapping[field] !== undefined);
  return { category: has('category'), region: has('region'), channel: has('channel'), order: has('order') };
}

/** The dimensions (category, region, channel) that some sales file maps. */
export function mappedDimensions(mapped: Mapped): Dimension[] {
  return (['category', 'region', 'channel'] as const).filter((d) => mapped[d]);
}
