import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import PublishedApp from './components/PublishedApp.svelte';
import { readManifest } from './lib/state/published.ts';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// A dataset published next to the page (npm run publish) opens straight away; else the normal page.
const manifest = await readManifest();
export default manifest ? mount(PublishedApp, { target, props: { manifest } }) : mount(App, { target });
