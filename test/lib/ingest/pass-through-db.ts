/** A DbClient that forwards every call to a NodeDb (or another client): tests subclass it to watch or alter one call. It has no Arrow results (`queryArrowIPC`): what reads by columns reads by rows through it. */
import type { ArrowInsertOptions, DbClient, Row } from '../../../src/lib/db/client.ts';
import type { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import type { SqlQuery } from '../../../src/lib/db/sql.ts';

export class PassThroughDb<D extends DbClient = NodeDb> implements DbClient {
  constructor(protected readonly db: D) {}
  exec(q: SqlQuery | string): Promise<void> {
    return this.db.exec(q);
  }
  query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    return this.db.query<T>(q);
  }
  registerBuffer(bytes: Uint8Array): Promise<string> {
    return this.db.registerBuffer(bytes);
  }
  dropBuffer(path: string): Promise<void> {
    return this.db.dropBuffer(path);
  }
  insertArrowIPC(table: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    return this.db.insertArrowIPC(table, ipc, options);
  }
  /** The NodeDb stays open: the test that opened it closes it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
