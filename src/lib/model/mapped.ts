import { isContactLikeLabel, isNpsLabel, unusedColumns } from '../ingest/mapping.ts';
import type { LoadReport } from '../ingest/types.ts';
import type { Mapped } from './derive.ts';
import { CONTACT_FIELDS, type Dimension } from './schema.ts';

/**
 * Which optional columns the loaded sales files carry: what the analyses can break down by,
 * the contact fields the customer lists show, and whether the score column in use (the survey's when there is one, else the sales
 * files') is named as a Net Promoter question.
 */
export function mappedOf(report: Pick<LoadReport, 'files'>): Mapped {
  const sales = report.files.filter((f) => f.role === 'sales');
  const has = (field: 'category' | 'region' | 'channel' | 'order') => sales.some((f) => f.mapping[field] !== undefined);
  const survey = report.files.filter((f) => f.role === 'survey');
  const scored = (survey.length > 0 ? survey : sales).filter((f) => f.mapping.score !== undefined);
  const npsScore = scored.length > 0 && scored.every((f) => isNpsLabel(f.labels[f.mapping.score ?? -1] ?? ''));
  const contacts = CONTACT_FIELDS.filter((f) => sales.some((s) => s.mapping[f] !== undefined));
  return {
    category: has('category'),
    region: has('region'),
    channel: has('channel'),
    order: has('order'),
    npsScore,
    contacts,
    unused: unusedColumnsOf(report),
  };
}

/**
 * A column of the sales files that no field is mapped to, whose text `customer_info` keeps
 * for each customer's latest line. Files are joined by label: the same label in two files
 * is one column.
 */
export interface UnusedColumn {
  /** As written in the header (trimmed), or `#N` for a column without one. */
  readonly label: string;
  /** Where its text sits: the file (its position in the load) and the 0-based index in that file's `cells`. */
  readonly sources: readonly { readonly file: number; readonly index: number }[];
  /** A name, phone, address or similar column (`isContactLikeLabel`): offered ticked. */
  readonly contactLike: boolean;
}

export function unusedColumnsOf(report: Pick<LoadReport, 'files'>): UnusedColumn[] {
  const out: { label: string; sources: { file: number; index: number }[]; contactLike: boolean }[] = [];
  report.files.forEach((f, file) => {
    if (f.role !== 'sales') return;
    unusedColumns(f.mapping, f.labels.length).forEach((c, index) => {
      const label = f.labels[c]?.trim() || `#${c + 1}`;
      const known = out.find((u) => u.label === label);
      if (known) known.sources.push({ file, index });
      else out.push({ label, sources: [{ file, index }], contactLike: isContactLikeLabel(label) });
    });
  });
  return out;
}

/** The dimensions (category, region, channel) that some sales file maps. */
export function mappedDimensions(mapped: Mapped): Dimension[] {
  return (['category', 'region', 'channel'] as const).filter((d) => mapped[d]);
}
