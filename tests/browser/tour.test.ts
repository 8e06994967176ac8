/**
 * /tour, the unattended lobby wall, as a visitor sees it: at 3840×2160 every visible text at least 1/50 of the screen
 * height and no desktop control; the loop flies the camera and changes its captions on its own (fast steps via
 * `?step=`); a key pauses it and shows the explorer's controls, and it resumes by itself; the offline banner and greyed
 * colours when the server goes, gone when it is back; a reload, once, when the server serves a newer client build.
 * The 4K page renders at device scale 0.25 (CSS sizes, which the checks read, do not depend on it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { launchBrowser, startServer, visibleTexts } from './harness.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openTour(url: string, query: string, viewport = { width: 800, height: 450 }, deviceScaleFactor = 1): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${url}/tour${query}`);
  await page.waitForFunction(() => document.body.dataset.ready === '1' && !!document.querySelector('[data-testid="tour-caption"]'), undefined, { timeout: 120_000 });
  return page;
}

const tourState = (page: Page) =>
  page.evaluate(() => ({
    step: document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.step!,
    paused: document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.paused!,
    caption: document.querySelector('[data-testid="tour-caption"]')?.textContent ?? '',
    camera: window.__twin!.view().camera,
    metric: window.__twin!.view().metric,
  }));

describe('/tour on a 4K wall', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sizes every visible text at 1/50 of the screen height or more, shows no desktop control and no cursor, and says the numbers are simulated', async () => {
    const page = await openTour(url, '?lang=zh', { width: 3840, height: 2160 }, 0.25);
    try {
      // the key figures are in (all four resolved)
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="tour-figures"] li').length === 4 && !document.querySelector('[data-testid="tour-figures"]')!.textContent!.includes('—'), undefined, { timeout: 30_000 });
      const { texts, height } = await visibleTexts(page);
      const body = await page.locator('body').innerText();
      // a caption in both languages with a live number, and the four key figures with their sources
      expect(body).toMatch(/\d+ %/);
      expect(body).toContain('模拟 · simulated');
      for (const label of ['区内企业', '在册员工', '已备案大模型', '在用算力']) expect(body).toContain(label);
      expect(texts.length).toBeGreaterThan(10);
      expect(texts.filter((t) => t.fontPx < height / 50 - 0.01), `texts under ${(height / 50).toFixed(1)} px`).toEqual([]);
      const controls = await page.evaluate(
        () =>
          [...document.querySelectorAll('button, input, select, textarea, a[href], [role="button"]')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
          }).length,
      );
      expect(controls).toBe(0);
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="tour"]')!).cursor)).toBe('none');
      // the district fills the frame: the canvas covers the screen
      const canvas = await page.evaluate(() => {
        const r = document.querySelector('canvas')!.getBoundingClientRect();
        return { w: r.width / innerWidth, h: r.height / innerHeight };
      });
      expect(canvas.w).toBeGreaterThanOrEqual(1);
      expect(canvas.h).toBeGreaterThanOrEqual(1);
    } finally {
      await page.close();
    }
  });

  it('flies the camera and changes caption and metric on its own, through the view state', async () => {
    const page = await openTour(url, '?lang=en&step=3');
    try {
      const seen = [await tourState(page)];
      // three different steps, each with its own camera and caption
      for (let k = 0; k < 2; k++) {
        const prev = seen[seen.length - 1]!.step;
        await page.waitForFunction((p) => document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.step !== p, prev, { timeout: 60_000 });
        // the caption follows the step once its figures are computed
        await page.waitForFunction(() => /occupied now|busy now|no live value/.test(document.querySelector('[data-testid="tour-caption"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
        seen.push(await tourState(page));
      }
      expect(new Set(seen.map((s) => s.step)).size).toBe(3);
      expect(new Set(seen.map((s) => JSON.stringify(s.camera))).size).toBe(3);
      expect(new Set(seen.map((s) => s.caption)).size).toBe(3);
      // the metric turns over: consecutive steps show different metrics
      expect(seen[1]!.metric).not.toBe(seen[0]!.metric);
      expect(seen[2]!.metric).not.toBe(seen[1]!.metric);
    } finally {
      await page.close();
    }
  });

  it('pauses on a key and shows the explorer controls; resumes by itself after the idle time', async () => {
    const page = await openTour(url, '?lang=en&step=3&idle=4');
    try {
      await page.keyboard.press('Space');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.paused === '1', undefined, { timeout: 10_000 });
      const buttons = await page.evaluate(() => [...document.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().width > 0).length);
      expect(buttons).toBeGreaterThan(0);
      expect(await page.getByTestId('tour-caption').count()).toBe(0);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.paused === '0', undefined, { timeout: 60_000 });
      await expect.poll(() => page.getByTestId('tour-caption').count(), { timeout: 30_000 }).toBe(1);
    } finally {
      await page.close();
    }
  });
});

describe('/tour when the server goes away and comes back', () => {
  it('shows the offline banner and greys the colours, then recovers by itself', async () => {
    let { app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } });
    const page = await openTour(url, '?lang=zh');
    try {
      const banner = page.getByTestId('offline-banner');
      expect(await banner.count()).toBe(0);
      const port = Number(new URL(url).port);
      await app.close();
      await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(1);
      expect(await banner.innerText()).toMatch(/Offline since \d\d:\d\d/);
      const filter = await page.evaluate(() => getComputedStyle(document.querySelector('.tour__stage')!).filter);
      expect(filter).toContain('grayscale(1)');
      ({ app, url } = await startServer({ port, simulator: { mode: 'on', seed: 4, speed: 1 } }));
      await expect.poll(() => banner.count(), { timeout: 60_000 }).toBe(0);
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('.tour__stage')!).filter)).toBe('none');
    } finally {
      await page.close();
      await app.close();
    }
  });
});

describe('/tour after a new client build is deployed', () => {
  it('reloads itself once when the server reports a newer build, and not again', async () => {
    // a copy of the built client, so the test can deploy a "new build" without touching dist/
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-client-'));
    fs.cpSync(path.join(REPO_ROOT, 'dist', 'client'), clientDir, { recursive: true });
    const { app, url } = await startServer({ clientDir, simulator: { mode: 'on', seed: 4, speed: 1 } });
    const page = await openTour(url, '?lang=en&buildPoll=1');
    try {
      const served = (await (await fetch(`${url}/api/v1/build`)).json()) as { buildId: string | null };
      expect(served.buildId).toMatch(/\S+/);
      let loads = 0;
      page.on('load', () => loads++);
      await page.evaluate(() => ((window as unknown as { __beforeDeploy: boolean }).__beforeDeploy = true));
      fs.writeFileSync(path.join(clientDir, 'build.json'), JSON.stringify({ buildId: `${served.buildId}-next` }));
      await expect.poll(() => loads, { timeout: 30_000 }).toBe(1);
      await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });
      expect(await page.evaluate(() => (window as unknown as { __beforeDeploy?: boolean }).__beforeDeploy ?? false)).toBe(false);
      // this bundle still is not that build (same files): the guard stops a second reload; wait for several checks
      const checks = await page.evaluate(async () => {
        let n = 0;
        const orig = window.fetch;
        window.fetch = (input, init) => {
          if (String(input).includes('/api/v1/build')) n++;
          return orig(input, init);
        };
        await new Promise((r) => setTimeout(r, 100));
        return new Promise<number>((resolve) => {
          const id = setInterval(() => {
            if (n >= 3) {
              clearInterval(id);
              resolve(n);
            }
          }, 200);
        });
      });
      expect(checks).toBeGreaterThanOrEqual(3);
      expect(loads).toBe(1);
    } finally {
      await page.close();
      await app.close();
      fs.rmSync(clientDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(!!process.env.UPDATE_SCREENSHOT)('the README screenshot', () => {
  it('is taken of /tour with the simulator on, once a cluster caption is shown', async () => {
    const { app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } });
    const page = await openTour(url, '?lang=zh&step=8', { width: 1920, height: 1080 });
    try {
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="tour"]')!.dataset.step !== 'district' && /\d+ %/.test(document.querySelector('[data-testid="tour-caption"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
      await page.waitForTimeout(4000); // the camera's flight to the cluster settles (a picture, not an assertion)
      fs.mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'tour.png') });
    } finally {
      await page.close();
      await app.close();
    }
  });
});
