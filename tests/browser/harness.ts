/** A real server on an ephemeral port and Debian's Chromium driven by playwright-core. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../chromium.ts';
import { PNG } from 'pngjs';
import { createApp, type App } from '../../server/src/app.ts';
import { REPO_ROOT, testOptions, type AppOptions } from '../../server/src/config.ts';


export async function startServer(overrides: Partial<AppOptions> = {}): Promise<{ app: App; url: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-browser-'));
  const app = await createApp(testOptions({ dataDir, clientDir: path.join(REPO_ROOT, 'dist', 'client'), ...overrides }));
  const url = await app.listen();
  return { app, url };
}

export const launchBrowser = launchChromium;

/** Open a view and wait until the district is drawn and the first live frame applied. */
export async function openTwin(browser: Browser, url: string, viewport = { width: 800, height: 500 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
  return page;
}

export interface Point {
  id: string;
  x: number;
  y: number;
}

/**
 * Buildings whose roof centre is visible on screen (the building drawn at that pixel is the building itself), up to
 * `max`, largest roofs first so the sample pixel is well inside the roof.
 */
export async function visibleBuildings(page: Page, ids: string[], max: number): Promise<Point[]> {
  return page.evaluate(
    ({ ids, max }) => {
      const hook = window.__twin!;
      const out: { id: string; x: number; y: number }[] = [];
      // What covers the canvas: labels and panels (they ignore the pointer, so elementFromPoint would not see them).
      const canvas = document.querySelector('canvas')!;
      const covers = [...document.body.querySelectorAll<HTMLElement>('*')]
        .filter((el) => el !== canvas && !el.contains(canvas) && getComputedStyle(el).visibility !== 'hidden' && Number(getComputedStyle(el).opacity) > 0)
        .map((el) => el.getBoundingClientRect())
        .filter((r) => r.width > 0 && r.height > 0 && r.width * r.height < innerWidth * innerHeight * 0.5);
      const onCanvas = (x: number, y: number) => !covers.some((r) => x >= r.left - 3 && x <= r.right + 3 && y >= r.top - 3 && y <= r.bottom + 3);
      for (const id of ids) {
        const p = hook.screenPositionOf(id);
        if (!p || p.x < 4 || p.y < 4 || p.x > innerWidth - 4 || p.y > innerHeight - 4) continue;
        // the roof must be ours at the centre and at a few pixels around it
        const around = [[0, 0], [2, 0], [-2, 0], [0, 2], [0, -2]] as const;
        // …and not hidden behind a label or a panel
        if (around.every(([dx, dy]) => hook.buildingIdAt(p.x + dx, p.y + dy) === id && onCanvas(p.x + dx * 2, p.y + dy * 2))) out.push({ id, x: p.x, y: p.y });
        if (out.length >= max) break;
      }
      return out;
    },
    { ids, max },
  );
}

/** Wait until no CSS transition is running (a label fading in reads as transparent to `visibleBuildings`). */
export async function transitionsDone(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
    undefined,
    { timeout: 30_000 },
  );
}

/**
 * Mean colour of the 5×5 pixels at the middle of a building's roof (a hatch stripe or an edge pixel does not decide
 * alone), read from a screenshot taken while the roof was uncovered and in the same place just before and just after
 * it: labels re-laid or fading in over the roof, or a camera still easing, make it look again.
 */
export async function roofPatch(page: Page, id: string): Promise<[number, number, number]> {
  let seen = 'never visible';
  for (let attempt = 0; attempt < 20; attempt++) {
    if (attempt > 0) await page.waitForTimeout(250);
    await transitionsDone(page);
    const [before] = await visibleBuildings(page, [id], 1);
    if (!before) continue;
    const shot = await screenshot(page);
    const [after] = await visibleBuildings(page, [id], 1);
    if (!after || Math.hypot(after.x - before.x, after.y - before.y) > 0.5) {
      seen = `moved from ${before.x.toFixed(1)},${before.y.toFixed(1)} to ${after ? `${after.x.toFixed(1)},${after.y.toFixed(1)}` : 'covered'}`;
      continue;
    }
    const sum = [0, 0, 0];
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) shot.at(before.x + dx, before.y + dy).forEach((v, k) => (sum[k]! += v));
    return sum.map((v) => v / 25) as [number, number, number];
  }
  throw new Error(`the roof of ${id} was not still and uncovered on screen (${seen})`);
}

/** Wait until the page has drawn a frame newer than the one on screen now. */
export async function nextDrawnFrame(page: Page, frames = 1): Promise<void> {
  const seq = await page.evaluate(() => window.__twin!.frameSeq);
  await page.waitForFunction((s) => window.__twin!.frameSeq >= s, seq + frames, { timeout: 60_000 });
}

export interface Shot {
  png: PNG;
  at(x: number, y: number): [number, number, number];
}

/** A screenshot of the page as a person sees it, decoded for pixel checks (CSS pixels; device scale 1). */
export async function screenshot(page: Page, file?: string): Promise<Shot> {
  const buf = await page.screenshot(file ? { path: file } : {});
  const png = PNG.sync.read(buf);
  return {
    png,
    at(x, y) {
      const i = (Math.round(y) * png.width + Math.round(x)) * 4;
      return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    },
  };
}

/** Number of distinct colours (quantised to 4 bits per channel) in a rectangle of a screenshot. */
export function distinctColours(shot: Shot, x0: number, y0: number, x1: number, y1: number): number {
  const seen = new Set<number>();
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const [r, g, b] = shot.at(x, y);
      seen.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
    }
  }
  return seen.size;
}

export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

export interface VisibleText {
  text: string;
  fontPx: number;
  tag: string;
  /** Below the bottom edge of its `clip` ancestor: clipped, not there for the viewer. */
  cutOff: boolean;
}

/**
 * Every text node a viewer can see (inside `root`, on screen, not hidden), with its computed font size in CSS px: the
 * walls' "every text at least 1/50 of the screen height" checks. Texts inside `skip` are left out; `clip` names the
 * panels that clip what does not fit.
 */
export function visibleTexts(page: Page, opts: { root?: string; skip?: string; clip?: string } = {}): Promise<{ texts: VisibleText[]; height: number }> {
  return page.evaluate(({ root, skip, clip }) => {
    const out: { text: string; fontPx: number; tag: string; cutOff: boolean }[] = [];
    const walker = document.createTreeWalker(root ? document.querySelector(root)! : document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || (skip && el.closest(skip))) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || Number(style.opacity) === 0) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right < 0 || r.bottom < 0 || r.left > innerWidth || r.top > innerHeight) continue;
      const panel = clip ? el.closest(clip)?.getBoundingClientRect() : undefined;
      const cutOff = !!panel && r.bottom > panel.bottom + 1;
      out.push({ text: text.slice(0, 40), fontPx: parseFloat(style.fontSize), tag: el.tagName.toLowerCase(), cutOff });
    }
    return { texts: out, height: innerHeight };
  }, opts);
}

/**
 * Wait until the camera has arrived at the pose the view state asks for (the flight is over), then for a frame drawn
 * there. A flight ends exactly on the view's pose (kept to 0.1 m), so the default tolerance means "stopped".
 */
export async function cameraSettled(page: Page, toleranceM = 0.15): Promise<void> {
  await page.waitForFunction(
    (tol) => {
      const want = window.__twin!.view().camera;
      const have = window.__twin!.cameraPose();
      if (!want || !have) return false;
      return Math.abs(want.x - have.x) < tol && Math.abs(want.z - have.z) < tol && Math.abs(want.distance - have.distance) < tol;
    },
    toleranceM,
    { timeout: 60_000 },
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}
