// The Dynamic Support Register's service worker: keeps the app shell so the app opens with no
// network, with the easy-read pictures. Pages: network first, the cached shell when offline. Built
// files (their names carry a hash): cache first. /api is never cached. Drafts and unsent changes live in IndexedDB, which this
// worker never touches, so a new version of the app cannot discard them.
const SHELL = 'dsr-shell-v1';

async function cacheShell() {
  const cache = await caches.open(SHELL);
  const response = await fetch('/', { cache: 'no-cache' });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put('/', response);
  const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+)"/g)].map((m) => m[1]);
  const inScript = [...html.matchAll(/'(\/[^']+\.(?:js|wasm))'/g)].map((m) => m[1]);
  // The easy-read pictures: none is named in the page, so the build lists them (scripts/copy-pictures.sh).
  const listed = await fetch('/pictures/index.txt', { cache: 'no-cache' });
  const pictures = listed.ok ? (await listed.text()).split('\n').filter((line) => line.startsWith('/')) : [];
  await Promise.all(
    [...new Set([...assets, ...inScript, ...pictures])].map(async (url) => {
      const asset = await fetch(url, { cache: 'no-cache' });
      if (asset.ok) await cache.put(url, asset);
    }),
  );
}

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
