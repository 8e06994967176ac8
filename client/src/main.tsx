// First: before any models/ schema is built (see zodConfig.ts).
import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { loadDistrict } from './net/api.ts';
import { startSocket } from './net/socket.ts';
import { startUrlSync } from './state/urlSync.ts';
import { startFrameSources } from './state/frameSources.ts';
import './scene/testHook.ts';
import './ui/styles.css';

// Data flow is one way: server → socket → store → scene. Both start before React so nothing waits on a render.
// The link decides the view before anything is drawn.
performance.mark('twin:main');
startUrlSync();
void loadDistrict();
startSocket();
startFrameSources();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
