/**
 * Live data as a person sees it: a reading ingested for one building changes that building's colour on screen and
 * its label from simulated to live feed; a value that goes stale turns grey; the page recovers by itself after the
 * server restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES, type District } from '@models/district.ts';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { launchBrowser, openTwin, roofPatch, startServer, visibleBuildings, type Point } from './harness.ts';

const TOKEN = 'browser-test-token-0123456789';
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function ingest(url: string, buildingId: string, occupancy: number, tsMs = Date.now()): Promise<void> {
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: [{ kind: 'building', buildingId, ts: new Date(tsMs).toISOString(), occupancy }] }),
  });
  expect(res.status).toBe(200);
}

const isYellowish = ([r, g, b]: number[]) => r! > b! + 50 && g! > b! + 50;
const isPurplish = ([r, g, b]: number[]) => b! > g! && r! > g!;
const isNeutral = ([r, g, b]: number[]) => Math.max(r!, g!, b!) - Math.min(r!, g!, b!) < 30;

/** A large visible building, away from the labels, to sample. */
async function target(page: Page, district: District): Promise<Point> {
  const byRoof = [...district.buildings].sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);
  const [p] = await visibleBuildings(page, byRoof, 1);
  expect(p).toBeDefined();
  return p!;
}

describe('an ingested reading on screen', () => {
  let app: App;
  let url: string;
  let page: Page;
  beforeAll(async () => {
    ({ app, url } = await startServer({ simulator: { mode: 'fill', seed: 4, speed: 1 }, ingestToken: TOKEN }));
    page = await openTwin(browser, `${url}/?lang=zh`);
  });
  afterAll(async () => {
    await page?.close();
    await app?.close();
  });

  it('changes the building colour and its label from simulated to live feed', async () => {
    const p = await target(page, app.district);
    await page.mouse.move(p.x, p.y);
    const card = page.getByTestId('hover-card');
    await expect.poll(() => card.getAttribute('data-shown')).toBe('1');
    await expect.poll(() => card.innerText()).toContain('来源：模拟');

    await ingest(url, p.id, 0);
    await expect.poll(() => roofPatch(page, p.id).then(isPurplish), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => card.innerText(), { timeout: 5000 }).toContain('来源：实时接入');

    await ingest(url, p.id, 1);
    await expect.poll(() => roofPatch(page, p.id).then(isYellowish), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => card.innerText()).toMatch(/100\s*% 容量/);
  });
});

/** Seconds after which an ingested value is stale in the tests below. */
const STALE_S = 8;

describe('stale data and recovery', () => {
  let app: App;
  let url: string;
  let page: Page;
  beforeAll(async () => {
    // no simulator: only what is ingested is live, and it goes stale after STALE_S (long enough for a loaded machine
    // to see the fresh colour first, short enough to wait for)
    ({ app, url } = await startServer({ simulator: { mode: 'off', seed: 4, speed: 1 }, ingestToken: TOKEN, staleAfterS: STALE_S }));
    page = await openTwin(browser, `${url}/?lang=en`);
  });
  afterAll(async () => {
    await page?.close();
    await app?.close();
  });

  it('greys a building whose value has gone stale instead of keeping its last colour', async () => {
    const p = await target(page, app.district);
    const before = await roofPatch(page, p.id);
    expect(isNeutral(before), `no value yet ${before}`).toBe(true);
    await ingest(url, p.id, 1);
    await expect.poll(() => roofPatch(page, p.id).then(isYellowish), { timeout: 10_000 }).toBe(true);
    // nothing more arrives for this building: after STALE_AFTER_S it must be grey, not its last yellow
    await expect.poll(() => roofPatch(page, p.id).then(isNeutral), { timeout: STALE_S * 1000 + 15_000 }).toBe(true);
  });

  it('says it is reconnecting when the server goes away, and goes live again by itself when it is back', async () => {
    const badge = page.getByTestId('status-badge');
    expect(await badge.getAttribute('data-status')).toBe('live');
    const port = Number(new URL(url).port);
    await app.close();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 15_000 }).not.toBe('live');
    ({ app, url } = await startServer({ port, simulator: { mode: 'off', seed: 4, speed: 1 }, ingestToken: TOKEN, staleAfterS: STALE_S }));
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 30_000 }).toBe('live');
    // and the data flows again: a new reading shows up on screen without a reload
    const p = await target(page, app.district);
    await ingest(url, p.id, 0.99);
    await expect.poll(() => roofPatch(page, p.id).then(isYellowish), { timeout: 10_000 }).toBe(true);
  });
});

describe('a new data set on the server', () => {
  it('is fetched by an open page before it applies frames, without a reload', async () => {
    let { app, url } = await startServer({ simulator: { mode: 'fill', seed: 4, speed: 1 } });
    const page = await openTwin(browser, `${url}/?lang=zh`);
    try {
      const p = await target(page, app.district);
      const building = app.district.buildings.find((b) => b.id === p.id)!;
      // the same district, but this building three times as tall: a different data-set version
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-dataset-'));
      for (const f of Object.values(DATA_FILES)) fs.copyFileSync(path.join(REPO_ROOT, 'data', f), path.join(dir, f));
      const file = path.join(dir, DATA_FILES.district);
      const district = JSON.parse(fs.readFileSync(file, 'utf8')) as { buildings: { id: string; heightM: number }[] };
      district.buildings.find((b) => b.id === p.id)!.heightM = Math.min(400, building.heightM * 3);
      fs.writeFileSync(file, JSON.stringify(district));

      await page.evaluate(() => (window as unknown as { __reloads: number }).__reloads = 0);
      const port = Number(new URL(url).port);
      const before = app.district.version;
      await app.close();
      ({ app, url } = await startServer({ port, datasetDir: dir, simulator: { mode: 'fill', seed: 4, speed: 1 } }));
      expect(app.district.version).not.toBe(before);

      // the roof of the taller building is drawn higher on screen
      await expect
        .poll(async () => (await page.evaluate((id) => window.__twin!.screenPositionOf(id), p.id))?.y ?? Infinity, { timeout: 30_000 })
        .toBeLessThan(p.y - 5);
      // the same page: no reload happened
      expect(await page.evaluate(() => (window as unknown as { __reloads?: number }).__reloads)).toBe(0);
    } finally {
      await page.close();
      await app.close();
    }
  });
});
