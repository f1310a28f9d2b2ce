// Raft Escort works offline after one visit. Every same-origin GET is answered by the network when there is
// one (and the answer kept), and by the kept copy when there is none. The course fetches every scenario it
// names when it opens, so a course once opened also runs offline. Limit: one copy of each file; a new build's
// file (Trunk names them web-<hash>.js, web-<hash>_bg.wasm, main-<hash>.css) replaces the older build's.
const CACHE = 'raft-escort';
const unhashed = (url) => new URL(url).pathname.replace(/-[0-9a-f]{16}(?=(_bg)?\.(js|wasm|css)$)/, '');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

async function keep(request, response) {
  const cache = await caches.open(CACHE);
  const name = unhashed(request.url);
  for (const old of await cache.keys()) {
    if (old.url !== request.url && unhashed(old.url) === name) await cache.delete(old);
  }
  await cache.put(request, response);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) event.waitUntil(keep(request, response.clone()));
      return response;
    } catch (offline) {
      const kept = await caches.match(request, { ignoreSearch: true });
      if (kept) return kept;
      throw offline;
    }
  })());
});
