/**
 * A customer list as a table: the list query's columns (the contact fields the data maps
 * after the id), then the per-customer columns that
 * panels compute outside SQL (the lifetime-value predictions), matched by customer id. The
 * page's customer exports and `analyze --customers` both write this table.
 */
import type { Cell } from '../db/client.ts';
import { customerListColumns } from './customer-list.ts';
import type { DashboardResult } from './index.ts';
import { PANEL_REGISTRY } from './registry.ts';

export interface CustomerTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

export function customerTable(rows: readonly Readonly<Record<string, Cell>>[], result: DashboardResult): CustomerTable {
  const base = customerListColumns(result.mapped.contacts ?? []);
  const extra = PANEL_REGISTRY.flatMap((panel) => (panel.customerColumns ? [panel.customerColumns(result[panel.id] as never)] : []));
  return {
    columns: [...base, ...extra.flatMap((e) => e.columns)],
    rows: rows.map((r) => [
      ...base.map((c) => r[c] ?? null),
      ...extra.flatMap((e) => e.values.get(String(r.customer_id)) ?? e.columns.map(() => null)),
    ]),
  };
}
