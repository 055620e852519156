/* 惠民 service worker: pages that registered for offline use (offline-queue.js caches them and their static files
 * in "huimin-offline-v1") are answered from that cache when the network is down. Everything else — and every
 * POST — goes to the network as usual: records entered offline wait in IndexedDB, not here. */
var CACHE = "huimin-offline-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(req).then(function (resp) {
      if (resp.ok && req.mode === "navigate") {
        var copy = resp.clone();
        caches.open(CACHE).then(function (c) {
          return c.match(req).then(function (hit) { if (hit) return c.put(req, copy); });
        });
      }
      return resp;
    }, function () {
      return caches.open(CACHE).then(function (c) {
        return c.match(req).then(function (hit) {
          return hit || new Response("离线：此页面未保存到本机，请联网后打开。", {
            status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
          });
        });
      });
    })
  );
});
