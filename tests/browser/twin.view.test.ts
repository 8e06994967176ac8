/**
 * What a visitor sees in a real browser: the district drawn, bilingual cluster names, the legend, the metric switch
 * and the live ticks changing building colours on screen. One server (simulator on, fast clock) and one page.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { colourDistance, distinctColours, launchBrowser, nextDrawnFrame, openTwin, screenshot, startServer, visibleBuildings, type Point } from './harness.ts';

let app: App;
let url: string;
let browser: Browser;
let page: Page;
let district: District;

beforeAll(async () => {
  // An hour of simulated time per tick, so the colours move from one tick to the next.
  ({ app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 3600 } }));
  district = app.district;
  browser = await launchBrowser();
  page = await openTwin(browser, `${url}/?lang=zh`);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const colourAt = async (points: Point[]) => {
  const shot = await screenshot(page);
  return points.map((p) => shot.at(p.x, p.y));
};

describe('the twin in a browser', () => {
  it('draws the district: many colours on the canvas and buildings at their projected places', async () => {
    const shot = await screenshot(page);
    const box = (await page.locator('canvas').boundingBox())!;
    expect(box.width).toBeGreaterThan(700);
    expect(distinctColours(shot, box.x, box.y, box.x + box.width, box.y + box.height)).toBeGreaterThan(40);
    const visible = await visibleBuildings(page, district.buildings.map((b) => b.id), 25);
    expect(visible.length).toBeGreaterThanOrEqual(10);
    if (process.env.UPDATE_SCREENSHOT) {
      await page.setViewportSize({ width: 1280, height: 720 });
      await nextDrawnFrame(page);
      fs.mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshot.png') });
      await page.setViewportSize({ width: 800, height: 500 });
      await nextDrawnFrame(page);
    }
  });

  it('names the six clusters in Chinese and English', async () => {
    const text = await page.locator('body').innerText();
    for (const c of district.clusters) {
      expect(text).toContain(c.name.zh);
      expect(text).toContain(c.name.en);
    }
  });

  it('shows a legend with the metric, its unit and the time of the data', async () => {
    const legend = page.getByTestId('legend');
    await expect.poll(() => legend.isVisible()).toBe(true);
    const text = await legend.innerText();
    expect(text).toContain('占用率');
    expect(text).toContain('Occupancy');
    expect(text).toContain('% of capacity');
    expect(await page.getByTestId('data-time').innerText()).toMatch(/\d{1,2}:\d{2}/);
    await expect.poll(() => page.getByTestId('simulated-badge').innerText()).toContain('Simulated');
  });

  it('recolours the buildings on screen when a live tick arrives', async () => {
    // Deterministic under load: the colours on screen are those of frame `seqBefore`; keep waiting for newer drawn
    // frames (the simulated clock moves an hour per tick) until at least 3 sampled roofs have changed colour. Only a
    // tick can change them (nothing else moves: no metric change, no camera move), and the frame counter proves a
    // newer frame is what is on screen.
    const points = await visibleBuildings(page, district.buildings.map((b) => b.id), 30);
    const seqBefore = await page.evaluate(() => window.__twin!.frameSeq);
    const before = await colourAt(points);
    let changed = 0;
    for (let k = 0; k < 12 && changed < 3; k++) {
      await nextDrawnFrame(page);
      const after = await colourAt(points);
      changed = points.filter((_, i) => colourDistance(before[i]!, after[i]!) > 12).length;
    }
    expect(changed).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate(() => window.__twin!.frameSeq)).toBeGreaterThan(seqBefore);
  });

  it('recolours the buildings on screen when the metric changes', async () => {
    // the same instant for both metrics: stop looking at ticks by comparing the two metrics back to back
    const points = await visibleBuildings(page, district.buildings.map((b) => b.id), 30);
    await page.getByTestId('metric-computeLoad').click();
    await expect.poll(() => page.getByTestId('legend').getAttribute('data-metric')).toBe('computeLoad');
    await nextDrawnFrame(page);
    const compute = await colourAt(points);
    await page.getByTestId('metric-headcountDensity').click();
    await expect.poll(() => page.getByTestId('legend').getAttribute('data-metric')).toBe('headcountDensity');
    await nextDrawnFrame(page);
    const headcount = await colourAt(points);
    const differ = points.filter((_, i) => colourDistance(compute[i]!, headcount[i]!) > 20);
    expect(differ.length).toBeGreaterThanOrEqual(points.length / 3);
    expect(await page.getByTestId('legend').innerText()).toContain('staff per 10,000 m²');
    await page.getByTestId('metric-occupancy').click();
  });

  it('keeps labels apart, and names landmarks once zoomed in', async () => {
    const shownBoxes = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.label[data-shown="1"] .label__box')].map((el) => {
          const r = el.getBoundingClientRect();
          const landmark = el.closest('.label--landmark') !== null;
          return { text: (el as HTMLElement).innerText, landmark, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        }),
      );
    const overlaps = (boxes: Awaited<ReturnType<typeof shownBoxes>>) =>
      boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1).map((b) => `${a.text} × ${b.text}`));

    const wide = await shownBoxes();
    expect(wide.filter((b) => !b.landmark)).toHaveLength(6);
    expect(wide.some((b) => b.landmark)).toBe(false);
    expect(overlaps(wide)).toEqual([]);

    const mosu = await page.evaluate(() => window.__twin!.screenPositionOf('mosu-space'));
    expect(mosu).not.toBeNull();
    await page.mouse.move(mosu!.x, mosu!.y);
    // OrbitControls zooms a fixed step per wheel event
    for (let k = 0; k < 30; k++) {
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(40);
    }
    await expect.poll(async () => (await shownBoxes()).filter((b) => b.landmark).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const close = await shownBoxes();
    expect(overlaps(close)).toEqual([]);
    // landmark labels are bilingual too
    for (const b of close.filter((x) => x.landmark)) expect(b.text).toMatch(/[\u4e00-\u9fff][\s\S]*[A-Za-z]/);

    await page.getByTestId('reset-view').click();
    await expect.poll(async () => (await shownBoxes()).some((b) => b.landmark), { timeout: 15_000 }).toBe(false);
  });

  it('switches the language and remembers it', async () => {
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toMatch(/^en/);
    await page.goto(url); // no ?lang: the choice is remembered
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toMatch(/^en/);
    const legend = await page.getByTestId('legend').innerText();
    // English first, Chinese still there for the other half of the room
    expect(legend.indexOf('Occupancy')).toBeLessThan(legend.indexOf('占用率'));
  });
});
