/**
 * The light follows Shanghai's time of day, and the legend stays true under it: at noon and at 22:00 (server clocks
 * set to those hours), the roof of a building with an ingested value is drawn within a small distance of its ramp
 * colour from models/colour.ts. At night the walls carry lit windows.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '@models/metrics.ts';
import { RAMP_RGB, RAMP_SIZE, rampPosition } from '@models/colour.ts';
import type { App } from '../../server/src/app.ts';
import { colourDistance, launchBrowser, openTwin, screenshot, startServer, visibleBuildings, type Point } from './harness.ts';

const TOKEN = 'lighting-test-token-0123456789';
/** Largest roof-colour error allowed, in 8-bit RGB units (out of 441 for black → white). */
const MAX_ROOF_ERROR = 14;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A clock that reads `hh:mm` in Shanghai today and runs on from there. */
function shanghaiClockAt(hh: number, mm: number): () => number {
  const now = Date.now();
  const shanghaiMidnight = Math.floor((now + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000;
  const offset = shanghaiMidnight + (hh * 60 + mm) * 60_000 - now;
  return () => Date.now() + offset;
}

/** Per-channel median of the 3×3 pixels at a roof centre: a roof-edge highlight pixel does not decide. */
async function roofColour(page: Page, p: Point): Promise<[number, number, number]> {
  const shot = await screenshot(page);
  const px: number[][] = [];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) px.push(shot.at(p.x + dx, p.y + dy));
  return [0, 1, 2].map((k) => px.map((c) => c[k]!).sort((a, b) => a - b)[4]!) as [number, number, number];
}

const legendColour = (occupancy: number): [number, number, number] => {
  const i = Math.round(rampPosition(occupancy * METRICS.occupancy.displayScale, METRICS.occupancy.domain) * (RAMP_SIZE - 1)) * 3;
  return [RAMP_RGB[i]!, RAMP_RGB[i + 1]!, RAMP_RGB[i + 2]!];
};

for (const [label, hh, phase] of [['noon', 12, 'day'], ['night', 22, 'night']] as const) {
  describe(`at ${label} in Shanghai`, () => {
    let app: App;
    let url: string;
    let page: Page;
    let now: () => number;
    beforeAll(async () => {
      now = shanghaiClockAt(hh, 0);
      ({ app, url } = await startServer({ simulator: { mode: 'off', seed: 4, speed: 1 }, ingestToken: TOKEN, staleAfterS: 3600, now }));
      page = await openTwin(browser, `${url}/?lang=en`);
    });
    afterAll(async () => {
      await page?.close();
      await app?.close();
    });

    it(`is lit as ${phase} and draws roofs in their legend colour`, async () => {
      await page.waitForFunction((p) => document.body.dataset.dayPhase === p, phase, { timeout: 30_000 });
      const byRoof = app.district.buildings.filter((b) => !b.landmark).sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);
      const targets = await visibleBuildings(page, byRoof, 2);
      expect(targets.length).toBe(2);
      const values = [0.3, 0.85];
      const res = await fetch(`${url}/api/v1/telemetry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ readings: targets.map((t, i) => ({ kind: 'building', buildingId: t.id, ts: new Date(now()).toISOString(), occupancy: values[i] })) }),
      });
      expect(res.status, await res.text()).toBe(200);
      for (const [i, t] of targets.entries()) {
        const want = legendColour(values[i]!);
        await expect
          .poll(async () => colourDistance(await roofColour(page, t), want), { timeout: 20_000, message: `${t.id} roof vs legend ${want}` })
          .toBeLessThanOrEqual(MAX_ROOF_ERROR);
      }
    });
  });
}
