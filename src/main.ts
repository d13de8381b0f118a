import { mount } from 'svelte'
import App from './ui/App.svelte'
import { loadFormats } from './ui/context.ts'
import './ui/app.css'

// The start is three tasks, so that none holds the page long: this module's evaluation; the
// locale's number and date formats (their first use loads them, ~20 ms); the app's mount.
setTimeout(() => {
  loadFormats()
  setTimeout(() => mount(App, { target: document.getElementById('app') as HTMLElement }), 0)
}, 0)

// The service worker keeps the app shell so the app opens offline after one visit.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('Offline support unavailable:', error))
  })
}
