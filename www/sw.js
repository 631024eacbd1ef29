// The service worker: after the first visit the page, its wasm and its weights come from the
// cache when the network is gone, so the recognizer works offline.
//
// Network first, cache as fallback: online, a new build or a retrained model arrives at once;
// offline, the last copy answers. Every same-origin GET the page and its recognizer worker make
// is kept (the WebGPU build too, once loaded), so nothing needs listing twice.

const CACHE = "handwriting-v1";
/** What the page needs before it can answer: fetched at install, so one visit is enough. */
const SHELL = [
  "./",
  "index.html",
  "app.js",
  "worker.js",
  "style.css",
  "icon.svg",
  "manifest.webmanifest",
  "models/manifest.json",
  "../pkg/handwriting.js",
  "../pkg/handwriting_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL);
      // The weights the page offers by default, named by the model list.
      const manifest = await (await cache.match("models/manifest.json")).json();
      await cache.addAll(manifest.models.map((model) => `models/${model.file}`));
      // The line model, which the list does not name, and without which the page still reads
      // (letter by letter): a missing file must not stop the page working offline.
      await cache.add("models/lines.bpk").catch((error) => console.info("Caching no line model:", error));
      await cache.add("models/lines.lm").catch((error) => console.info("Caching no language model:", error));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (offline) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw offline;
  }
}
