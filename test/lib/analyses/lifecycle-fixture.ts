/**
 * Customers A–K for the lifecycle, warning and composition tests: as_of 2024-06-30,
 * W = 180, k = 2, S = 4, P = 90 (as_of − P = 2024-04-01), t = 0.5. Hand computations in
 * lifecycle.test.ts and warnings.test.ts.
 *
 *  cust  orders (date amount)                              at 2024-06-30
 *  A     05-31 30, 06-10 30                                p 2, g 10, recency 20 = k·g → formation
 *  B     05-30 40, 06-09 40                                p 2, g 10, recency 21 > k·g → decline
 *  C     01-02 25                                          recency 180 = W → exploration
 *  D     01-01 15                                          recency 181 > W → lost
 *  E     06-01, 06-05, 06-10, 06-20 10 each                gaps 4, 5, 10: g 5, recency 10 = k·g → stability
 *  F     05-01 60                                          exploration (first purchase in the period)
 *  G     2023-09-01 70, 06-25 20                           formation; lost on 04-01 (recency 213)
 *  H     01-10 100, 06-20 10                               formation; pace window B = 83 < P
 *  I     2023-01-01 50, 2023-11-01 730, 06-01 90            formation; current 90 = t × baseline 180
 *  J     2023-01-01 50, 2023-11-01 730, 06-01 89.99         formation; current 89.99 < 90
 *  K     2023-11-30 −20 (return), 2023-12-01 123, 05-01 10 formation; B = 123, baseline 90
 */
import type { SegmentParams } from '../../../src/lib/analyses/segments.ts';
import { SEGMENT_DEFAULTS } from '../../../src/lib/analyses/segments.ts';

export const LIFECYCLE_PARAMS: SegmentParams = { ...SEGMENT_DEFAULTS, asOf: '2024-06-30', churnWindowDays: 180, tierA: 0.8, tierB: 0.95 };

type Line = [string, string, string | null, number, string, string, number | null, number | null];

const orders: [string, string, number, string][] = [
  ['A', '2024-05-31', 30, 'x'], ['A', '2024-06-10', 30, 'y'],
  ['B', '2024-05-30', 40, 'x'], ['B', '2024-06-09', 40, 'x'],
  ['C', '2024-01-02', 25, 'y'],
  ['D', '2024-01-01', 15, 'x'],
  ['E', '2024-06-01', 10, 'x'], ['E', '2024-06-05', 10, 'x'], ['E', '2024-06-10', 10, 'x'], ['E', '2024-06-20', 10, 'x'],
  ['F', '2024-05-01', 60, 'y'],
  ['G', '2023-09-01', 70, 'x'], ['G', '2024-06-25', 20, 'x'],
  ['H', '2024-01-10', 100, 'x'], ['H', '2024-06-20', 10, 'x'],
  ['I', '2023-01-01', 50, 'x'], ['I', '2023-11-01', 730, 'x'], ['I', '2024-06-01', 90, 'x'],
  ['J', '2023-01-01', 50, 'x'], ['J', '2023-11-01', 730, 'y'], ['J', '2024-06-01', 89.99, 'x'],
  ['K', '2023-11-30', -20, 'x'], ['K', '2023-12-01', 123, 'x'], ['K', '2024-05-01', 10, 'x'],
];

/** One line per order (order id = customer + date), category as listed, region N. */
export const LIFECYCLE_LINES: readonly Line[] = orders.map(([c, d, a, cat]) => [c, d, `${c}${d}`, a, cat, 'N', null, null]);
