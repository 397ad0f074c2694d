import type { DbClient } from '../../../src/lib/db/client.ts';

/** `db` without its Arrow results (`queryArrowIPC`): what reads by columns must then read by rows. */
export function byRows(db: DbClient): DbClient {
  return {
    exec: (q) => db.exec(q),
    query: (q) => db.query(q),
    registerBuffer: (b) => db.registerBuffer(b),
    dropBuffer: (p) => db.dropBuffer(p),
    insertArrowIPC: (t, ipc, o) => db.insertArrowIPC(t, ipc, o),
    close: () => db.close(),
  };
}
