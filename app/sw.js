// The Dynamic Support Register's service worker: keeps the app shell so the app opens with no
// network, with the easy-read pictures (and the rest of the app once someone has signed in). Pages: network first, the cached shell when offline. Built
// files (their names carry a hash): cache first. /api is never cached. Drafts and unsent changes live in IndexedDB, which this
// worker never touches, so a new version of the app cannot discard them.
const SHELL = 'dsr-shell-v1';
// The rest of the app (app/src/door.rs): kept once a device has used it, not fetched on a first visit.
const APP_LINK = /<link rel="dsr-app-(?:script|wasm)" href="(\/[^"]+)"/g;

// Keeps the page, the door and its files, the pictures, and the rest of the app when `withApp` (the
// app asked: someone signed in here) or when an earlier version of it is kept. Files of earlier versions
// are let go.
async function cacheShell(withApp = false) {
  const cache = await caches.open(SHELL);
  const response = await fetch('/', { cache: 'no-cache' });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put('/', response);
  const app = [...html.matchAll(APP_LINK)].map((m) => m[1]);
  const kept = (await cache.keys()).map((request) => new URL(request.url).pathname);
  const keepApp = withApp || kept.some((path) => path.startsWith('/dsr-app-'));
  const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+)"/g)].map((m) => m[1]).filter((url) => !app.includes(url));
  const inScript = [...html.matchAll(/'(\/[^']+\.(?:js|wasm))'/g)].map((m) => m[1]);
  // The easy-read pictures: none is named in the page, so the build lists them (scripts/copy-pictures.sh).
  const listed = await fetch('/pictures/index.txt', { cache: 'no-cache' });
  const pictures = listed.ok ? (await listed.text()).split('\n').filter((line) => line.startsWith('/')) : [];
  const wanted = new Set([...assets, ...inScript, ...pictures, ...(keepApp ? app : [])]);
  await Promise.all(
    [...wanted].map(async (url) => {
      if (kept.includes(url) && /-[0-9a-f]{16}(?:_bg)?\.[a-z]+$/.test(url)) return; // a hashed file never changes
      const asset = await fetch(url, { cache: 'no-cache' });
      if (asset.ok) await cache.put(url, asset);
    }),
  );
  // Files of earlier versions, and anything else no longer named, are let go.
  await Promise.all(kept.filter((path) => path !== '/' && !wanted.has(path)).map((path) => cache.delete(path)));
}

// The app, once someone has signed in, asks for its own files to be kept for opening offline.
self.addEventListener('message', (event) => {
  if (event.data === 'cache-app') event.waitUntil(cacheShell(true));
});

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  if (request.mode === 'navigate') {
    // The newest shell when online (and keep it); the cached one when not.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) {
            const cache = await caches.open(SHELL);
            await cache.put('/', response.clone());
            cacheShell().catch(() => {});
          }
          return response;
        })
        .catch(async () => (await caches.match('/')) || Response.error()),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        cached ||
        fetch(request).then(async (response) => {
          if (response.ok) {
            const cache = await caches.open(SHELL);
            await cache.put(request, response.clone());
          }
          return response;
        }),
    ),
  );
});
