/**
 * Reads of `customer_info` (schema.ts; built by ingest/customer-info.ts): the contact fields
 * of given customers, for the lists the page reads a page at a time and the customer dialog.
 */
import type { DbClient } from '../db/client.ts';
import { join, sql, type SqlQuery } from '../db/sql.ts';
import { rows } from './common.ts';

/** A customer's contact fields: each the value of the latest kept line on which it is not empty. */
export interface CustomerContactRow {
  readonly customer_id: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly contact: string | null;
}

/** `ids` non-empty (a page of a list: at most a few hundred). */
export function customerContactsQuery(ids: readonly string[]): SqlQuery {
  return sql`SELECT customer_id::VARCHAR AS customer_id, name::VARCHAR AS name, phone::VARCHAR AS phone, contact::VARCHAR AS contact
FROM customer_info WHERE customer_id IN (${join(ids)}) ORDER BY customer_id`;
}

/** Contact fields by customer id (customers without any are left out). */
export async function customerContacts(db: DbClient, ids: readonly string[]): Promise<Map<string, CustomerContactRow>> {
  if (ids.length === 0) return new Map();
  const got = await rows<CustomerContactRow>(db, customerContactsQuery(ids));
  return new Map(got.map((r) => [r.customer_id, r]));
}
