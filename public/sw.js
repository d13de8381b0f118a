// Strata's service worker: the app shell (index.html and every hashed asset of the build,
// Web Workers included, as listed in asset-manifest.json) is cached on first visit so the
// app opens with no network. Documents and images live in
// IndexedDB, so only the shell is cached here; /api and /sync are never touched.
const SHELL = 'strata-shell-v1'

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL).then(async (cache) => {
      const res = await fetch('/index.html', { cache: 'no-cache' })
      await cache.put('/index.html', res.clone())
      const html = await res.text()
      const named = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
      const listed = await fetch('/asset-manifest.json', { cache: 'no-cache' }).then((r) => (r.ok ? r.json() : []), () => [])
      await cache.addAll([...new Set([...named, ...listed])])
    }).then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== location.origin) return
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/sync')) return
  if (event.request.mode === 'navigate') {
    // Network first so a new deploy is picked up; the cached shell when offline.
    event.respondWith(
      fetch(event.request)
        .then((res) => {
          if (res.ok) { const copy = res.clone(); caches.open(SHELL).then((cache) => cache.put('/index.html', copy)) }
          return res
        })
        .catch(() => caches.match('/index.html')),
    )
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change: cache first, and keep whatever is fetched.
    event.respondWith(
      caches.match(event.request).then((hit) => hit ?? fetch(event.request).then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(SHELL).then((cache) => cache.put(event.request, copy)) }
        return res
      })),
    )
  }
})
