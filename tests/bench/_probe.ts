import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { buildClient, launch } from './chromium.ts';

const dirs = process.argv.slice(2);
const clientDir = process.env.CLIENT_DIR ?? (await buildClient());
console.log('client', clientDir);
const browser = await launch();
for (const d of dirs) {
  const [datasetDir, mode] = d.split(':');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-probe-'));
  const app = await createApp(testOptions({ dataDir, clientDir, datasetDir: datasetDir === 'real' ? undefined : datasetDir, tickMs: 250 }));
  const url = await app.listen();
  // warm the server's compression
  await fetch(`${url}/api/v1/district`, { headers: { 'accept-encoding': 'br' } }).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, 3000));
  for (let rep = 0; rep < 2; rep++) {
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    page.on('console', (m) => console.log(`[console] ${m.text()}`));
    await page.addInitScript(`(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true }); ${mode === 'main' ? 'window.Worker = undefined;' : ''} ${process.env.NOANIM ? "document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); s.textContent = '*, *::after, *::before { animation: none !important; }'; document.head.append(s); });" : ''} })()`);
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 300_000, polling: 100 });
    const out = await page.evaluate(() => {
      const marks = performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]);
      const res = performance.getEntriesByType('resource').map((r) => { const t = r as PerformanceResourceTiming; return [t.name.replace(location.origin, '').slice(0, 50), Math.round(t.startTime), Math.round(t.responseStart), Math.round(t.responseEnd), t.encodedBodySize, t.decodedBodySize]; });
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const paint = performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)]);
      return { nav: { responseEnd: Math.round(nav.responseEnd), domInteractive: Math.round(nav.domInteractive), dcl: Math.round(nav.domContentLoadedEventEnd), load: Math.round(nav.loadEventEnd) }, paint, marks, res, lt: (window as any).__lt };
    });
    console.log(d, rep, JSON.stringify(out, null, 0));
    await page.close();
  }
  await app.close();
}
await browser.close();
