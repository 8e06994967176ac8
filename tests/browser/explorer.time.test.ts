/**
 * Time, as a planner uses it: two values ingested for one building at two past minutes show as two different colours
 * when the scrubber moves between them, with the replay banner and the "replay" status on screen; back to live
 * leaves replay; compare mode shows its diverging legend.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { App } from '../../server/src/app.ts';
import { colourDistance, launchBrowser, openTwin, roofPatch, screenshot, startServer, visibleBuildings } from './harness.ts';

const TOKEN = 'browser-test-token-0123456789';
let app: App;
let url: string;
let browser: Browser;
let page: Page;
let district: District;

beforeAll(async () => {
  ({ app, url } = await startServer({ simulator: { mode: 'fill', seed: 4, speed: 1 }, ingestToken: TOKEN }));
  district = app.district;
  browser = await launchBrowser();
  page = await openTwin(browser, `${url}/?lang=zh`);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function ingest(buildingId: string, occupancy: number, tsMs: number): Promise<void> {
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: [{ kind: 'building', buildingId, ts: new Date(tsMs).toISOString(), occupancy }] }),
  });
  expect(res.status).toBe(200);
}

async function scrubTo(minute: number): Promise<void> {
  await page.getByTestId('time-scrubber').fill(String(minute));
  await page.waitForFunction((m) => window.__twin!.replayMs === m, minute, { timeout: 60_000 });
}

describe('time and compare', () => {
  it('two ingested past minutes show as two colours when the scrubber moves between them; the replay banner is on screen', async () => {
    const byRoof = [...district.buildings].sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);
    await page.getByTestId('timebar-open').click();
    const [target] = await visibleBuildings(page, byRoof, 1);
    expect(target).toBeDefined();
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const low = minute - 40 * 60_000;
    const high = minute - 20 * 60_000;
    await ingest(target!.id, 0.05, low + 10_000);
    await ingest(target!.id, 0.95, high + 10_000);

    await scrubTo(low);
    await expect.poll(() => page.getByTestId('replay-banner').isVisible()).toBe(true);
    const banner = await page.getByTestId('replay-banner').innerText();
    expect(banner).toContain('回放');
    expect(banner).toContain('Replay');
    // the replayed time, in Shanghai time
    const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(low);
    expect(banner).toContain(shanghai);
    expect(await page.getByTestId('status-badge').getAttribute('data-status')).toBe('replay');
    expect(await page.getByTestId('status-badge').innerText()).toContain('回放');
    const lowColour = await roofPatch(page, target!.id);

    await scrubTo(high);
    const highColour = await roofPatch(page, target!.id);
    expect(colourDistance(lowColour, highColour)).toBeGreaterThan(60);
    // low occupancy is the purple end of viridis, high the yellow end
    expect(highColour[0] + highColour[1]).toBeGreaterThan(lowColour[0] + lowColour[1]);

    // and back again: the same colour as the first time (it is the minute, not the passing of time)
    await scrubTo(low);
    expect(colourDistance(await roofPatch(page, target!.id), lowColour)).toBeLessThan(15);

    await page.getByTestId('back-to-live').click();
    await expect.poll(() => page.getByTestId('replay-banner').count()).toBe(0);
    await expect.poll(() => page.getByTestId('status-badge').getAttribute('data-status')).not.toBe('replay');
  });

  it('compare mode shows the diverging legend', async () => {
    await page.getByTestId('compare-week').click();
    const legend = page.getByTestId('compare-legend');
    await expect.poll(() => legend.isVisible()).toBe(true);
    const text = await legend.innerText();
    expect(text).toContain('一周前');
    expect(text).toContain('a week earlier');
    // the legend's ramp is the diverging one: its ends differ in hue from viridis' (purple–orange, not purple–yellow)
    const box = (await legend.locator('.legend__ramp').boundingBox())!;
    const shot = await screenshot(page);
    const left = shot.at(box.x + 3, box.y + box.height / 2);
    const right = shot.at(box.x + box.width - 3, box.y + box.height / 2);
    const mid = shot.at(box.x + box.width / 2, box.y + box.height / 2);
    expect(colourDistance(left, right)).toBeGreaterThan(100);
    // a light neutral in the middle: "no change"
    expect(Math.min(...mid)).toBeGreaterThan(170);
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('cmp'))).toBe('week');
    await page.getByTestId('compare-week').click();
    await expect.poll(() => legend.count()).toBe(0);
  });
});
