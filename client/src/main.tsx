// First: before any models/ schema is built (see zodConfig.ts).
import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { loadDistrict } from './net/api.ts';
import { whenDistrictWorkerStarted } from './net/districtWorker.ts';
import { startSocket } from './net/socket.ts';
import { startUrlSync } from './state/urlSync.ts';
import { startFrameSources } from './state/frameSources.ts';
import './scene/testHook.ts';
import './ui/styles.css';
import { markOnce } from './perfMarks.ts';

/**
 * The longest the first render waits for the district worker to start (its script is fetched and run meanwhile): on
 * the bench machine it started 0.1–0.5 s after the request when this thread was free (bench section 13).
 */
const DISTRICT_WORKER_START_WAIT_MS = 300;

// Data flow is one way: server → socket → store → scene. Both start before React so nothing waits on a render.
// The link decides the view before anything is drawn.
markOnce('twin:main');
startUrlSync();
void loadDistrict();
startSocket();
startFrameSources();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
// The district worker needs a free moment of this thread to start; the first commit takes seconds (net/districtWorker.ts).
void whenDistrictWorkerStarted(DISTRICT_WORKER_START_WAIT_MS).then(() =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
