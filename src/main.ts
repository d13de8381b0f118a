import { mount } from 'svelte'
import App from './ui/App.svelte'
import './ui/app.css'

mount(App, { target: document.getElementById('app') as HTMLElement })

// The service worker keeps the app shell so the app opens offline after one visit.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('Offline support unavailable:', error))
  })
}
