import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { buildClient, launch } from './chromium.ts';

const [datasetDir, mode] = process.argv[2]!.split(':');
const clientDir = process.env.CLIENT_DIR ?? (await buildClient());
console.log('client', clientDir);
const browser = await launch();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-probe-'));
const app = await createApp(testOptions({ dataDir, clientDir, datasetDir: datasetDir === 'real' ? undefined : datasetDir, tickMs: 250 }));
const url = await app.listen();
await fetch(`${url}/api/v1/district`, { headers: { 'accept-encoding': 'br' } }).then((r) => r.arrayBuffer());
await new Promise((r) => setTimeout(r, 3000));
const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
if (mode === 'main') await page.addInitScript('window.Worker = undefined;');
await page.goto(`${url}/healthz`);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
await cdp.send('Profiler.start');
const t0 = Date.now();
await page.goto(`${url}/?lang=en`);
await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 300_000, polling: 100 });
const { profile } = (await cdp.send('Profiler.stop')) as { profile: any };
const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
console.log(JSON.stringify(marks));
fs.writeFileSync('/tmp/ff/main.cpuprofile', JSON.stringify(profile));
// self time by function, and total time by function
const nodes = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<string, number>();
const total = new Map<string, number>();
const key = (n: any) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  let id = profile.samples[i];
  const n = nodes.get(id);
  self.set(key(n), (self.get(key(n)) ?? 0) + dt);
  const seen = new Set<string>();
  while (id !== undefined) {
    const k = key(nodes.get(id));
    if (!seen.has(k)) { total.set(k, (total.get(k) ?? 0) + dt); seen.add(k); }
    id = parent.get(id)!;
  }
}
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0).padStart(6)} ${k}`).join('\n');
console.log('SELF\n' + top(self, 40));
console.log('TOTAL\n' + top(total, 80));
await page.close();
await app.close();
await browser.close();
