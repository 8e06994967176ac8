/**
 * The district's shape is fetched as binary footprints and built in a module worker (client/src/scene/district.worker.ts)
 * under the CSP the server sends, while the page fetches the JSON without footprints; what comes back is the same
 * district: the buildings are drawn where they are, a click picks the building under it (the picking tree from the
 * worker, or one built here), and the selected building's outline (which reads its footprint, unpacked from the
 * worker's array) is drawn. With workers unavailable the main-thread fallback fetches the whole JSON and draws and
 * picks the same buildings.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { App } from '../../server/src/app.ts';
import { launchBrowser, startServer, visibleBuildings } from './harness.ts';

let app: App;
let url: string;
let browser: Browser;
let district: District;

beforeAll(async () => {
  ({ app, url } = await startServer({ simulator: { mode: 'on', seed: 5, speed: 600 } }));
  district = app.district;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const largestFirst = () => [...district.buildings].sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);

async function open(noWorker: boolean): Promise<{ page: Page; workers: string[]; violations: string[]; errors: string[]; districtRequests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
  const districtRequests: string[] = [];
  page.context().on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/v1/district')) districtRequests.push(u.pathname + u.search);
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text()) && /worker/i.test(m.text())) violations.push(m.text());
  });
  if (noWorker) await page.addInitScript(() => Object.defineProperty(window, 'Worker', { value: undefined }));
  await page.goto(`${url}/?lang=en`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });
  return { page, workers, violations, errors, districtRequests };
}

/** Click the largest visible building and wait until it is the selection; returns its id. */
async function clickOne(page: Page): Promise<string> {
  const [target] = await visibleBuildings(page, largestFirst(), 1);
  expect(target, 'a building visible on screen').toBeTruthy();
  const selected = (timeout: number) =>
    page
      .waitForFunction((id) => {
        const s = window.__twin!.view().selection;
        return s?.kind === 'building' && s.id === id;
      }, target!.id, { timeout })
      .then(() => true, () => false);
  // as a person would: click, and click again if nothing happened (the main-thread path may still be building the
  // picking tree at idle when the first click lands on a loaded machine)
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.mouse.click(target!.x, target!.y);
    if (await selected(15_000)) return target!.id;
  }
  const selection = await page.evaluate(() => JSON.stringify(window.__twin!.view().selection));
  throw new Error(`three clicks on ${target!.id} at (${target!.x.toFixed(0)}, ${target!.y.toFixed(0)}) did not select it; selection: ${selection}`);
}

/** Roof-centre screen positions of the first buildings (same camera in both pages: the default view). */
const positions = (page: Page) => page.evaluate((ids) => ids.map((id) => window.__twin!.screenPositionOf(id)), district.buildings.slice(0, 40).map((b) => b.id));

describe('district worker', () => {
  let fromWorker: Awaited<ReturnType<typeof positions>>;

  it('builds the district in a worker, and the scene draws, picks and outlines from what it sent back', async () => {
    const { page, workers, violations, errors, districtRequests } = await open(false);
    expect(workers.some((u) => /district\.worker/.test(u)), `workers started: ${workers.join(', ')}`).toBe(true);
    expect([...districtRequests].sort()).toEqual(['/api/v1/district/footprints', '/api/v1/district?footprints=omit']);
    expect(violations).toEqual([]);
    fromWorker = await positions(page);
    expect(fromWorker.filter((p) => p !== null).length).toBeGreaterThan(20);
    await clickOne(page);
    // the selection outline reads the building's footprint, unpacked from the worker's packed array: no error drawing it
    await page.waitForFunction(() => window.__twin!.colourPasses > 0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to the main thread when workers are unavailable, with the same buildings in the same places', async () => {
    const { page, workers, errors, districtRequests } = await open(true);
    expect(workers).toEqual([]);
    expect(districtRequests).toEqual(['/api/v1/district']);
    const fromMain = await positions(page);
    fromMain.forEach((p, i) => {
      const w = fromWorker[i];
      expect(p === null, `building ${i} visible in one and not the other`).toBe(w === null);
      if (p && w) {
        expect(Math.abs(p.x - w.x)).toBeLessThan(1);
        expect(Math.abs(p.y - w.y)).toBeLessThan(1);
      }
    });
    const id = await clickOne(page);
    expect(district.buildings.some((b) => b.id === id)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
