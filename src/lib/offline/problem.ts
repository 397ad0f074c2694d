/**
 * Why the data could not be kept on this device, from the error the browser or the engine
 * gave (pure, so that the mapping is tested). The page explains each case and keeps
 * working in memory.
 * - unavailable: no origin-private file system (private window, file://, old browser).
 * - locked: the stored database is open in another tab of this site.
 * - quota: the browser's storage quota for this site is used up.
 * - failed: anything else.
 */
export type StorageProblem = 'unavailable' | 'locked' | 'quota' | 'failed';

export function storageProblem(e: unknown): StorageProblem {
  const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError' || /quota|no space|disk full/i.test(message)) return 'quota';
  if (name === 'NoModificationAllowedError' || /access handles? cannot be created|another open access handle|NoModificationAllowed/i.test(message)) {
    return 'locked';
  }
  if (name === 'SecurityError' || name === 'NotAllowedError' || /getDirectory|storage is not|createSyncAccessHandle is not|SecurityError|opfs.*(not supported|unavailable)/i.test(message)) {
    return 'unavailable';
  }
  return 'failed';
}
