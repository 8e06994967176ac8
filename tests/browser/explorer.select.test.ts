/**
 * Select and share, as a planner does it: a click selects the building under the pointer (outline on screen, inspect
 * panel, URL), the back button steps back through selections, and a copied link opens the same view (selection,
 * metric, time, camera) in another page.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { cameraSettled, colourDistance, launchBrowser, nextDrawnFrame, openTwin, screenshot, startServer, visibleBuildings, type Shot } from './harness.ts';

let app: App;
let url: string;
let browser: Browser;
let page: Page;
let district: District;

/** The selection outline's colour (client/src/scene/palette.ts SCENE.selection). */
const OUTLINE: [number, number, number] = [0xff, 0x4f, 0xd8];

beforeAll(async () => {
  ({ app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } }));
  district = app.district;
  browser = await launchBrowser();
  page = await openTwin(browser, `${url}/?lang=en`);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

function outlinePixels(shot: Shot): number {
  let n = 0;
  for (let y = 0; y < shot.png.height; y += 1) for (let x = 0; x < shot.png.width; x += 1) if (colourDistance(shot.at(x, y), OUTLINE) < 60) n++;
  return n;
}

const largestFirst = () => [...district.buildings].sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);

describe('selecting a building', () => {
  it('a click selects the building under the pointer: outline, panel and URL', async () => {
    expect(outlinePixels(await screenshot(page))).toBeLessThan(5);
    const [target] = await visibleBuildings(page, largestFirst(), 1);
    expect(target).toBeDefined();
    await page.mouse.click(target!.x, target!.y);

    const panel = page.getByTestId('inspect-panel');
    await expect.poll(() => panel.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await panel.getAttribute('data-building')).toBe(target!.id);
    const b = district.buildings.find((x) => x.id === target!.id)!;
    const text = await panel.innerText();
    if (b.name) {
      expect(text).toContain(b.name.en);
      expect(text).toContain(b.name.zh);
    }
    expect(text).toContain('Occupancy');
    expect(text).toContain('Capacity');
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('sel'))).toBe(`b:${target!.id}`);

    await cameraSettled(page, 1);
    // the outline is drawn on screen, around the selected building (now the camera's target, mid-screen)
    const shot = await screenshot(page);
    expect(outlinePixels(shot)).toBeGreaterThan(40);
    const centre = await page.evaluate((id) => window.__twin!.screenPositionOf(id), target!.id);
    expect(centre).not.toBeNull();
    if (process.env.UPDATE_SCREENSHOT) {
      // the README's picture of the explorer: a selected building with its panel
      await page.setViewportSize({ width: 1280, height: 720 });
      await nextDrawnFrame(page, 2);
      await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'explorer.png') });
      await page.setViewportSize({ width: 800, height: 500 });
      await nextDrawnFrame(page, 2);
    }
  });

  it('Esc clears the selection and the close button does too', async () => {
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('inspect-panel').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('sel'))).toBeNull();
  });

  it('the back button steps back through selections', async () => {
    const picks = await visibleBuildings(page, largestFirst(), 2);
    expect(picks.length).toBe(2);
    await page.mouse.click(picks[0]!.x, picks[0]!.y);
    await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(picks[0]!.id);
    await cameraSettled(page, 1);
    const [second] = await visibleBuildings(page, largestFirst().filter((id) => id !== picks[0]!.id), 1);
    expect(second).toBeDefined();
    await page.mouse.click(second!.x, second!.y);
    await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(second!.id);

    await page.goBack();
    await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(picks[0]!.id);
    await page.goBack();
    await expect.poll(() => page.getByTestId('inspect-panel').count()).toBe(0);
    await page.goForward();
    await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(picks[0]!.id);
  });

  it('a copied link restores selection, metric, time and camera', async () => {
    await page.getByTestId('metric-computeLoad').click();
    // a past minute, so both pages show the same values (the live feed moves on)
    const minute = Math.floor((Date.now() - 5 * 60_000) / 60_000) * 60_000;
    if (await page.getByTestId('timebar-open').count()) await page.getByTestId('timebar-open').click();
    await page.getByTestId('time-scrubber').fill(String(minute));
    await expect.poll(() => page.evaluate(() => window.__twin!.replayMs)).toBe(minute);
    await cameraSettled(page, 1);
    // the URL is written at most every 400 ms: wait for it to carry the time, the metric and the camera as they are now
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('t'))).not.toBeNull();
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('m'))).toBe('computeLoad');
    await linkCaughtUp(page);
    const link = await page.evaluate(() => location.href);
    const view = await page.evaluate(() => window.__twin!.view());
    const pose = await page.evaluate(() => window.__twin!.cameraPose());

    const other = await browser.newPage({ viewport: { width: 800, height: 500 } });
    await other.goto(link);
    await other.waitForFunction((m) => window.__twin?.replayMs === m, minute, { timeout: 90_000 });
    const restored = await other.evaluate(() => window.__twin!.view());
    expect(restored.selection).toEqual(view.selection);
    expect(restored.metric).toBe('computeLoad');
    expect(restored.mode).toEqual({ kind: 'replay', atMs: minute, speed: 0 });
    expect(restored.camera).toEqual(view.camera);
    const restoredPose = await other.evaluate(() => window.__twin!.cameraPose());
    // the camera in the new page stands where the link says (the pose the first page flew to)
    for (const k of ['x', 'z', 'distance', 'heading', 'tilt'] as const) expect(Math.abs(restoredPose![k] - view.camera![k])).toBeLessThan(0.15);
    for (const k of ['x', 'z', 'distance'] as const) expect(Math.abs(restoredPose![k] - pose![k])).toBeLessThan(1.5);
    await expect.poll(() => other.getByTestId('inspect-panel').getAttribute('data-building')).toBe(view.selection!.id);
    await expect.poll(() => other.getByTestId('replay-banner').isVisible()).toBe(true);

    // and the two pages look the same: the selected building's roof has the same colour in both
    const at = await page.evaluate((id) => window.__twin!.screenPositionOf(id), view.selection!.id);
    const at2 = await other.evaluate((id) => window.__twin!.screenPositionOf(id), view.selection!.id);
    expect(Math.abs(at!.x - at2!.x)).toBeLessThan(2);
    expect(Math.abs(at!.y - at2!.y)).toBeLessThan(2);
    const [a, b] = [(await screenshot(page)).at(at!.x, at!.y), (await screenshot(other)).at(at2!.x, at2!.y)];
    expect(colourDistance(a, b)).toBeLessThan(12);
    await other.close();
  });

  it("the user's own camera move is written to the link, and the link restores it", async () => {
    const camBefore = await page.evaluate(() => new URL(location.href).searchParams.get('cam'));
    await page.mouse.move(470, 260);
    await page.mouse.down();
    await page.mouse.move(430, 235, { steps: 6 });
    await page.mouse.up();
    // written once the camera has come to rest (damping included)
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('cam')), { timeout: 30_000 }).not.toBe(camBefore);
    // at rest: the pose written to the view is the camera's pose (every key, to the URL's 0.1 precision)
    await page.waitForFunction(
      () => {
        const want = window.__twin!.view().camera;
        const have = window.__twin!.cameraPose();
        return !!want && !!have && (['x', 'z', 'distance', 'heading', 'tilt'] as const).every((k) => Math.abs(want[k] - have[k]) < 0.15);
      },
      undefined,
      { timeout: 60_000 },
    );
    await linkCaughtUp(page);
    // the link as it stands is what a colleague gets: it must put their camera where it says
    const href = await page.evaluate(() => location.href);
    const [x, z, distance, heading, tilt] = new URL(href).searchParams.get('cam')!.split(',').map(Number);
    const pose = { x, z, distance, heading, tilt } as Record<string, number>;
    const other = await browser.newPage({ viewport: { width: 800, height: 500 } });
    await other.goto(href);
    await other.waitForFunction(() => window.__twin?.ready === true, undefined, { timeout: 90_000 });
    const restored = await other.evaluate(() => window.__twin!.cameraPose());
    for (const k of ['x', 'z', 'distance', 'heading', 'tilt'] as const) expect(Math.abs(restored![k] - pose[k]!)).toBeLessThan(0.15);
    await other.close();
  });
});

/** Wait until the link carries the camera the view holds now (the URL is written at most every 400 ms). */
async function linkCaughtUp(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const c = window.__twin!.view().camera;
          const cam = new URL(location.href).searchParams.get('cam');
          return c === null ? cam === null : cam === [c.x, c.z, c.distance, c.heading, c.tilt].map((v) => Number(v.toFixed(1))).join(',');
        }),
      { timeout: 30_000 },
    )
    .toBe(true);
}
