/**
 * The CLV fit off the main thread: a module worker that receives the summary arrays
 * (transferred), runs `fitClvSync`, posts progress, and transfers the per-customer arrays back.
 */
import { fitClvSync } from './fit.ts';
import { resultTransfer, type ClvFitRequest, type ClvWorkerMessage } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: ClvWorkerMessage, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

scope.onmessage = (event: MessageEvent<ClvFitRequest>) => {
  const { summary, settings } = event.data;
  try {
    const result = fitClvSync(summary, settings, (progress) => post({ type: 'progress', progress }));
    post({ type: 'result', result }, resultTransfer(result));
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
