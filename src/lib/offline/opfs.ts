/**
 * The database files in the origin-private file system, seen from the page: whether they
 * exist, how big they are, and removing them (Forget). DuckDB writes them from its worker
 * through synchronous access handles; the page only lists, measures and deletes.
 */
export const DEVICE_DB = 'loyalty-lens.duckdb';

/** The files DuckDB keeps for a database at `name`. */
export const deviceFileNames = (name: string): string[] => [name, `${name}.wal`];

export interface DeviceFs {
  /** Throws (SecurityError, TypeError …) when this browser or context has no OPFS. */
  exists(name: string): Promise<boolean>;
  /** Bytes of the database and its log; null when they cannot be measured right now. */
  size(name: string): Promise<number | null>;
  /** Removes the files; waits for the engine's worker to let go of them. */
  remove(name: string): Promise<void>;
}

async function root(): Promise<FileSystemDirectoryHandle> {
  const storage = globalThis.navigator?.storage;
  if (!storage || typeof storage.getDirectory !== 'function') {
    throw new DOMException('navigator.storage.getDirectory is missing', 'SecurityError');
  }
  return storage.getDirectory();
}

const isNotFound = (e: unknown): boolean => e instanceof DOMException && e.name === 'NotFoundError';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const opfs: DeviceFs = {
  async exists(name) {
    const dir = await root();
    try {
      const file = await (await dir.getFileHandle(name)).getFile();
      return file.size > 0;
    } catch (e) {
      if (isNotFound(e)) return false;
      // Locked by a worker (another tab): it exists.
      return true;
    }
  },

  async size(name) {
    const dir = await root();
    let total = 0;
    for (const n of deviceFileNames(name)) {
      try {
        total += (await (await dir.getFileHandle(n)).getFile()).size;
      } catch (e) {
        if (!isNotFound(e)) return null;
      }
    }
    return total;
  },

  async remove(name) {
    const dir = await root();
    for (const n of deviceFileNames(name)) {
      // A terminated worker releases its access handles a moment later.
      for (let attempt = 0; ; attempt++) {
        try {
          await dir.removeEntry(n);
          break;
        } catch (e) {
          if (isNotFound(e)) break;
          if (attempt >= 40) throw e;
          await sleep(50);
        }
      }
    }
  },
};
