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

/**
 * The page's one connection, shared: after each call of the client's user, a dashboard
 * run's statements go in (the derived tables' database made anew, and one that fails).
 */
export class SharedConnection extends PassThroughDb {
  readonly intruderErrors: string[] = [];
  override async exec(q: SqlQuery | string): Promise<void> {
    await this.db.exec(q);
    await this.intrude();
  }
  override async query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    const rows = await this.db.query<T>(q);
    await this.intrude();
    return rows;
  }
  private async intrude(): Promise<void> {
    for (const statement of ['DETACH DATABASE IF EXISTS derived', "ATTACH ':memory:' AS derived", 'CREATE TABLE derived.orders AS SELECT 1 AS n', 'SELECT * FROM no_such_table']) {
      await this.db.exec(statement).catch((e: unknown) => {
        if (!String(e).includes('no_such_table')) this.intruderErrors.push(String(e));
      });
    }
  }
}
