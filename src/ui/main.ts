import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { setupIsolation } from '../platform/browser/isolation.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Production builds: the service worker (offline + COOP/COEP) first; it may reload the page once.
let setup: Awaited<ReturnType<typeof setupIsolation>> | null = null;
try {
  setup = await setupIsolation({ swUrl: `${import.meta.env.BASE_URL}sw.js`, enabled: import.meta.env.PROD });
} catch (e) {
  console.warn('ddmvpa: service worker setup failed; the app runs without it.', e);
}
if (setup !== 'reload') {
  target.replaceChildren();
  mount(App, { target });
}
