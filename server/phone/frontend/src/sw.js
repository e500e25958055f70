// The service worker (scope /app/): keeps the app shell so that the app opens with no network. The data
// lives in IndexedDB, and the API is never cached here (a sync must reach the server or fail visibly).
// BUILD_VERSION and SHELL are set by build.mjs: a new build is a new cache, and the old one is dropped.
/* global BUILD_VERSION, SHELL */
const CACHE = `farmpatrol-app-${BUILD_VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("farmpatrol-app-") && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith("/app/")) return;
  // Pages of the app are all the one shell; its address may carry a hash (#pair=…) or a query.
  const key = event.request.mode === "navigate" ? "/app/" : url.pathname;
  event.respondWith(caches.open(CACHE).then(async (cache) => (await cache.match(key)) ?? fetch(event.request)));
});
