import { isNpsLabel } from '../ingest/mapping.ts';
import type { LoadReport } from '../ingest/types.ts';
import type { Mapped } from './derive.ts';
import type { Dimension } from './schema.ts';

/**
 * Which optional columns the loaded sales files carry: what the analyses can break down by;
 * and whether the score column in use (the survey's when there is one, else the sales
 * files') is named as a Net Promoter question.
 */
export function mappedOf(report: Pick<LoadReport, 'files'>): Mapped {
  const sales = report.files.filter((f) => f.role === 'sales');
  const has = (field: 'category' | 'region' | 'channel' | 'order') => sales.some((f) => f.mapping[field] !== undefined);
  const survey = report.files.filter((f) => f.role === 'survey');
  const scored = (survey.length > 0 ? survey : sales).filter((f) => f.mapping.score !== undefined);
  const npsScore = scored.length > 0 && scored.every((f) => isNpsLabel(f.labels[f.mapping.score ?? -1] ?? ''));
  return { category: has('category'), region: has('region'), channel: has('channel'), order: has('order'), npsScore };
}

/** The dimensions (category, region, channel) that some sales file maps. */
export function mappedDimensions(mapped: Mapped): Dimension[] {
  return (['category', 'region', 'channel'] as const).filter((d) => mapped[d]);
}
