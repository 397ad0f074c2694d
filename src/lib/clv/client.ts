/**
 * Run the CLV fit: `fitClv` in a Web Worker (the page; the main thread never fits),
 * `fitClvSync` in-process (Node: the `analyze` command and the tests). Both run the same code.
 */
import { fitClvSync, type ClvProgress, type ClvResult, type ClvSettings } from './fit.ts';
import { summaryTransfer, type ClvFitRequest, type ClvWorkerMessage } from './protocol.ts';
import type { ClvSummary } from './types.ts';

export { fitClvSync };

export interface FitClvOptions {
  /** Terminates the worker; the promise rejects with an AbortError DOMException. */
  readonly signal?: AbortSignal;
}

/**
 * Fit in a new module worker. The summary's arrays are transferred to it, so they are
 * detached (length 0) in the caller afterwards; keep customer ids alongside, not in them.
 */
export function fitClv(
  summary: ClvSummary,
  settings: ClvSettings,
  onProgress?: (p: ClvProgress) => void,
  options: FitClvOptions = {},
): Promise<ClvResult> {
  return new Promise<ClvResult>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new DOMException('CLV fit aborted', 'AbortError'));
      return;
    }
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    const done = () => {
      worker.terminate();
      signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      done();
      reject(new DOMException('CLV fit aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', abort);
    worker.onmessage = (event: MessageEvent<ClvWorkerMessage>) => {
      const m = event.data;
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'result') {
        done();
        resolve(m.result);
      } else {
        done();
        reject(new Error(m.message));
      }
    };
    worker.onerror = (event) => {
      done();
      reject(new Error(event.message || 'CLV worker failed'));
    };
    const request: ClvFitRequest = { type: 'fit', summary, settings };
    worker.postMessage(request, summaryTransfer(summary));
  });
}
