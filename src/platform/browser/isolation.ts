/**
 * Cross-origin isolation and offline use, decided before the app mounts (src/ui/main.ts).
 *
 * The build has one service worker (dist/sw.js, see vite.config.ts): it precaches the app and
 * adds COOP/COEP to what it serves. On a host that sends those headers itself the page is
 * isolated at once and the worker only makes the app work offline. On a host that cannot (a
 * plain static host), the first visit registers the worker, waits until it controls the page and
 * reloads once: the reloaded page comes through the worker and is isolated. A session flag stops
 * a reload loop where isolation is impossible (no service workers: private windows, plain HTTP
 * to another machine, a blocking policy); the app then runs in single-thread mode and says so.
 */
export type ServiceWorkerState = 'dev' | 'unsupported' | 'blocked' | 'active';

export interface IsolationInfo {
  isolated: boolean;
  sw: ServiceWorkerState;
  /** Why the page is not isolated (one sentence for the screen), or null when it is. */
  reason: string | null;
  /** The service worker controls the page: the app shell is stored and works offline. */
  offline: boolean;
}

const RELOADED_KEY = 'ddmvpa-coi-reloaded';
/** register() answers once sw.js is fetched; a blocked one may never answer. */
const REGISTER_TIMEOUT_MS = 4_000;
/** First visit: the worker installs (downloads the app shell) before it takes control. */
const CONTROL_TIMEOUT_MS = 15_000;

function session(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function waitForController(registration: ServiceWorkerRegistration, timeoutMs: number): Promise<boolean> {
  const sw = navigator.serviceWorker;
  if (sw.controller) return Promise.resolve(true);
  const worker = registration?.installing ?? registration.waiting ?? registration.active;
  // No worker at all: registration was accepted but nothing runs (blocked by the browser or policy).
  if (!worker) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(!!sw.controller), timeoutMs);
    sw.addEventListener('controllerchange', () => { clearTimeout(t); resolve(true); }, { once: true });
    // Install failed (e.g. a file of the app shell could not be fetched).
    worker.addEventListener('statechange', () => { if (worker.state === 'redundant') { clearTimeout(t); resolve(!!sw.controller); } });
  });
}

let current: IsolationInfo = { isolated: globalThis.crossOriginIsolated === true, sw: 'dev', reason: null, offline: false };

/** What setupIsolation found (for the status panel and the banner). */
export function isolationInfo(): IsolationInfo {
  return current;
}

const NO_ISOLATION_DEV = 'the dev server sends the isolation headers itself; without them the page cannot be isolated';

/**
 * Registers the service worker (production builds only). Resolves 'reload' when the page is
 * about to reload to become isolated (do not mount then), else what the page can do.
 */
export async function setupIsolation(opts: { swUrl: string; enabled: boolean }): Promise<IsolationInfo | 'reload'> {
  const isolated = globalThis.crossOriginIsolated === true;
  if (!opts.enabled) {
    current = { isolated, sw: 'dev', reason: isolated ? null : NO_ISOLATION_DEV, offline: false };
    return current;
  }
  if (!('serviceWorker' in navigator) || !globalThis.isSecureContext) {
    current = {
      isolated, sw: 'unsupported', offline: false,
      reason: isolated ? null : globalThis.isSecureContext
        ? 'this browser has no service workers (a private window?), and the host does not send the isolation headers'
        : 'the page is served over plain HTTP from another machine, where browsers allow no service worker; serve it over HTTPS or from localhost',
    };
    return current;
  }
  const flags = session();
  let registration: ServiceWorkerRegistration;
  try {
    registration = await Promise.race([
      navigator.serviceWorker.register(opts.swUrl, { type: 'classic' }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer: blocked by the browser?')), REGISTER_TIMEOUT_MS)),
    ]);
  } catch (e) {
    current = {
      isolated, sw: 'blocked', offline: false,
      reason: isolated ? null : `the service worker could not be registered (${(e as Error).message}), and the host does not send the isolation headers`,
    };
    return current;
  }
  if (!registration) {
    // Some environments (automation, policies) resolve register() with nothing.
    current = { isolated, sw: 'blocked', offline: false, reason: isolated ? null : 'the browser blocks service workers here, and the host does not send the isolation headers' };
    return current;
  }
  if (isolated) {
    flags?.removeItem(RELOADED_KEY);
    // Offline use starts once the worker controls the page (first visit: after it installed).
    current = { isolated, sw: 'active', reason: null, offline: !!navigator.serviceWorker.controller };
    if (!current.offline) void waitForController(registration, CONTROL_TIMEOUT_MS * 3).then((ok) => { current = { ...current, offline: ok }; });
    return current;
  }
  const controlled = await waitForController(registration, CONTROL_TIMEOUT_MS);
  if (controlled && flags && flags.getItem(RELOADED_KEY) !== '1') {
    flags.setItem(RELOADED_KEY, '1');
    location.reload();
    return 'reload';
  }
  current = {
    isolated, sw: 'active', offline: controlled,
    reason: controlled
      ? 'this browser did not isolate the page even through the service worker'
      : 'the browser did not let the service worker run (blocked, or it failed to install)',
  };
  return current;
}
