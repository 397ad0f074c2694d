/**
 * Registers the service worker (production builds only) and tracks a new version that is
 * installed and waiting. The page announces it; only the user's click activates it and
 * reloads, so an analysis in progress is never interrupted.
 */
export class AppUpdate {
  /** An installed new version waiting to take over; null when there is none. */
  waiting = $state.raw<ServiceWorker | null>(null);

  /** Activate the waiting version and reload once it controls the page. */
  apply(): void {
    const next = this.waiting;
    const sw = globalThis.navigator?.serviceWorker;
    if (!next || !sw) return;
    sw.addEventListener('controllerchange', () => location.reload(), { once: true });
    next.postMessage('SKIP_WAITING');
  }
}

export const appUpdate = new AppUpdate();

export async function registerServiceWorker(update: AppUpdate = appUpdate): Promise<ServiceWorkerRegistration | null> {
  const sw = globalThis.navigator?.serviceWorker;
  if (!sw) return null;
  let reg: ServiceWorkerRegistration | undefined;
  try {
    reg = await sw.register('./sw.js', { scope: './' });
  } catch {
    // file://, a private window that refuses workers …: the page still works online.
    return null;
  }
  // Some embedders (and test browsers that block workers) resolve without a registration.
  if (!reg) return null;
  // A worker waiting while another controls the page is an update (the first install has no controller).
  const offer = (w: ServiceWorker | null) => {
    if (w && w.state === 'installed' && sw.controller) update.waiting = w;
  };
  offer(reg.waiting);
  const registration = reg;
  registration.addEventListener('updatefound', () => {
    const w = registration.installing;
    w?.addEventListener('statechange', () => offer(w));
  });
  return reg;
}
