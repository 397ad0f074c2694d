import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { readManifest } from './lib/state/published.ts';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// A dataset published next to the page (npm run publish) opens straight away; else the normal page.
const manifest = await readManifest();
// The published page is its own chunk: the normal page never loads it.
export default manifest
  ? mount((await import('./components/PublishedApp.svelte')).default, { target, props: { manifest } })
  : mount(App, { target });
