/*
 * ddmvpa's one service worker (built into dist/sw.js by the ddmvpa-sw plugin of vite.config.ts,
 * which fills in VERSION and PRECACHE from the files of the build). It does two things:
 *
 * 1. Offline: on install it stores the app shell (index.html, JS, CSS, the wasm kernels) in a
 *    versioned cache; pages are fetched network-first (so a new deploy is seen at once) and fall
 *    back to the cached index.html; other same-origin files come from the cache first.
 * 2. Cross-origin isolation where the host cannot set headers (the coi-serviceworker technique):
 *    every same-origin response it serves gets `Cross-Origin-Opener-Policy: same-origin` and
 *    `Cross-Origin-Embedder-Policy: require-corp`, so the page (after one reload on the first
 *    visit, done by src/platform/browser/isolation.ts) gets SharedArrayBuffer and shared wasm memory.
 *
 * It never touches requests to other origins (the app makes none) and never caches user data:
 * files the user picks are read from disk by the page and do not go through fetch.
 */
const VERSION = '__DDMVPA_VERSION__';
const PRECACHE = /* __DDMVPA_PRECACHE__ */ [];
const CACHE = `ddmvpa-shell-${VERSION}`;
const SCOPE = self.registration.scope;
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.map((p) => new Request(new URL(p, SCOPE).href, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('ddmvpa-shell-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'ddmvpa-sw-version') event.source?.postMessage({ type: 'ddmvpa-sw-version', version: VERSION, files: PRECACHE.length });
});

/** The response with the isolation headers added (opaque responses cannot be changed). */
function isolate(res) {
  if (!res || res.status === 0 || res.type === 'opaque' || res.type === 'opaqueredirect') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
  return new Response(nullBody ? null : res.body, { status: res.status, statusText: res.statusText, headers });
}

async function respond(request) {
  const cache = await caches.open(CACHE);
  if (request.mode === 'navigate') {
    try {
      return isolate(await fetch(request));
    } catch (e) {
      const shell = await cache.match(INDEX);
      if (shell) return isolate(shell);
      throw e;
    }
  }
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return isolate(hit);
  return isolate(await fetch(request));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  if (new URL(request.url).origin !== self.location.origin) return;
  // A Chromium quirk (devtools): only-if-cached requests must be same-origin mode.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(respond(request));
});
