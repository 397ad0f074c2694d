/**
 * Marks that open a customer list. A chart whose context allows it (`ChartContext.drill`)
 * gives each clickable mark an `href` of `#drill=<filter>`; the dashboard catches the click
 * and opens the list of that filter's customers. The same filters name their list's heading.
 */
import type { CustomerFilter } from '../analyses/customer-list.ts';
import { DAY_BIN_EDGES } from '../analyses/common.ts';
import type { Translate } from './theme.ts';

const PREFIX = '#drill=';

/** The link a mark carries to open the customers of `filter`. */
export function drillHref(filter: CustomerFilter): string {
  return PREFIX + encodeURIComponent(JSON.stringify(filter));
}

/** The filter of a mark's link; null for any other link (or one that does not read). */
export function parseDrillHref(href: string | null): CustomerFilter | null {
  if (href === null || !href.startsWith(PREFIX)) return null;
  try {
    const v: unknown = JSON.parse(decodeURIComponent(href.slice(PREFIX.length)));
    // Written by drillHref above; the member queries check every value they put in SQL text.
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as CustomerFilter) : null;
  } catch {
    return null;
  }
}

/** `href` for a mark when the chart may open lists, else nothing (spread into the mark's options). */
export function drillChannel<T>(drill: boolean | undefined, filter: (d: T) => CustomerFilter | null): { href?: (d: T) => string | null } {
  return drill ? { href: (d: T) => {
    const f = filter(d);
    return f === null ? null : drillHref(f);
  } } : {};
}

function range(from: number, to: number | undefined): string {
  return to === undefined ? `≥ ${from}` : `${from}–${to - 1}`;
}

/** What a filter selects, in words (the list's heading): its parts joined. */
export function drillTitle(filter: CustomerFilter, t: Translate, periodDays?: number, churnWindowDays?: number): string {
  const parts: string[] = [];
  if (filter.tier) parts.push(t('chart.pareto.tier', { tier: filter.tier }));
  if (filter.quadrant) parts.push(t(`chart.satisfaction.quadrant.${filter.quadrant}`));
  if (filter.segment) parts.push(t(`chart.seg.${filter.segment}`));
  if (filter.rfm8Class) parts.push(t(`chart.rfm8.${filter.rfm8Class}`));
  if (filter.stage) parts.push(t(`dash.warnings.stage.${filter.stage}`));
  const d = filter.drill;
  const value = (v: string | null) => v ?? t('drill.blank');
  const month = (iso: string) => iso.slice(0, 7);
  if (d) {
    switch (d.kind) {
      case 'active':
        parts.push(t(d.active ? 'drill.active' : 'drill.lapsed'));
        break;
      case 'month':
        parts.push(t(d.newOnly ? 'drill.monthNew' : 'drill.month', { month: month(d.month) }));
        break;
      case 'decile':
        parts.push(t(d.measure === 'profit' ? 'drill.profitDecile' : 'drill.decile', { range: t('chart.pareto.decile', { from: (d.decile - 1) * 10, to: d.decile * 10 }) }));
        break;
      case 'profitGroup':
        parts.push(t('drill.profitGroup', { group: t(`chart.pareto.profit.${d.group}`) }));
        break;
      case 'repeat':
        parts.push(t(d.repeat ? 'drill.repeat' : 'drill.oneTime'));
        break;
      case 'orderCount':
        parts.push(t('drill.orderCount', { n: d.orders >= 10 ? '10+' : d.orders }));
        break;
      case 'daysToSecond': {
        const edges = [0, ...DAY_BIN_EDGES];
        parts.push(t('drill.daysToSecond', { range: range(edges[d.bin] ?? 0, DAY_BIN_EDGES[d.bin]) }));
        break;
      }
      case 'firstDimension':
        parts.push(t('drill.firstDimension', { dimension: t(`dash.dim.${d.dimension}`), value: value(d.value) }));
        if (d.repeat !== undefined) parts.push(t(d.repeat ? 'drill.repeat' : 'drill.oneTime'));
        break;
      case 'nextMonth': {
        const [y, m] = d.period.split('-').map(Number);
        const next = y !== undefined && m !== undefined ? `${m === 12 ? y + 1 : y}-${String((m % 12) + 1).padStart(2, '0')}` : '';
        parts.push(t(d.returning ? 'drill.nextMonthReturning' : 'drill.nextMonth', { month: d.period, next }));
        break;
      }
      case 'cohort':
        parts.push(d.k === undefined ? t('drill.cohort', { cohort: d.cohort }) : t('drill.cohortCell', { cohort: d.cohort, k: d.k }));
        break;
      case 'level':
        parts.push(t('drill.level', { level: d.level }));
        break;
      case 'satisfactionGroup':
        parts.push(t(`chart.satisfaction.group.${d.group}`));
        break;
      case 'rfmCell':
        parts.push(t('drill.rfmCell', { r: d.r, f: d.f }));
        break;
      case 'migration':
        parts.push(t('drill.migration', { from: d.from === 'none' ? t('drill.notYet') : t(`dash.warnings.stage.${d.from}`), to: t(`dash.warnings.stage.${d.to}`) }));
        break;
      case 'returning':
        parts.push(t('drill.returning'));
        break;
      case 'newInPeriod':
        parts.push(t('drill.newInPeriod', { p: periodDays ?? '' }));
        break;
      case 'composition': {
        const group =
          d.group === null ? t('drill.blank') : d.grouping === 'tier' ? t('chart.pareto.tier', { tier: d.group }) : d.grouping === 'segment' ? t(`chart.seg.${d.group}`) : t(`dash.warnings.stage.${d.group}`);
        parts.push(`${t(`dash.dim.${d.dimension}`)} ${d.other ? t('drill.other') : value(d.value)} · ${group}`);
        break;
      }
      case 'newReturning':
        parts.push(t(d.isNew ? 'drill.newBuyers' : 'drill.returningBuyers', { month: month(d.month) }));
        break;
      case 'keyClass':
        parts.push(t(`chart.key.class.${d.keyClass}`));
        break;
      case 'activeAt':
        parts.push(t(d.active ? 'drill.activeAt' : 'drill.lapsedAt', { date: d.date, days: churnWindowDays ?? '' }));
        break;
      case 'stageAt':
        parts.push(t('drill.stageAt', { date: d.date, stage: t(`dash.warnings.stage.${d.stage}`) }));
        break;
      case 'km':
        parts.push(t(d.part === 'atRisk' ? 'drill.kmAtRisk' : 'drill.kmEvents', { day: d.day }));
        break;
      case 'topRank':
        parts.push(t('drill.topRank', { n: d.rank }));
        break;
      case 'clvBin': {
        const edge = (v: number) => String(Number(v.toPrecision(6)));
        const r =
          d.from === undefined ? `#${d.bin + 1}` : d.to === null || d.to === undefined ? `≥ ${edge(d.from)}` : `${edge(d.from)}–${edge(d.to)}`;
        parts.push(t(d.measure === 'pAlive' ? 'drill.pAliveBin' : 'drill.clvBin', { range: r }));
        break;
      }
    }
  }
  return parts.length === 0 ? t('drill.everyone') : parts.join(' · ');
}
