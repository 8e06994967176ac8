/**
 * A presenter's briefing in real Chromium: a remote page and two screen pages in one group. The remote's buttons
 * change both screens' step, caption and camera; a wrong PIN and a screen's own keys drive nothing.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoryResponse } from '@models/story.ts';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { launchBrowser, nextDrawnFrame, openTwin, screenshot, startServer, visibleTexts } from './harness.ts';

const PIN = '2468';
let app: App;
let url: string;
let browser: Browser;
let screens: Page[];
let remote: Page;
let story: StoryResponse['story'];

beforeAll(async () => {
  ({ app, url } = await startServer({ presenterPin: PIN, simulator: { mode: 'on', seed: 7, speed: 60 } }));
  story = ((await (await fetch(`${url}/api/v1/stories/west-bund-ai`)).json()) as StoryResponse).story;
  browser = await launchBrowser();
  screens = [];
  for (let i = 0; i < 2; i++) {
    const p = await openTwin(browser, `${url}/briefing?group=wall1&lang=zh`, { width: 640, height: 360 });
    await p.waitForSelector('.briefing[data-mode="attract"][data-group="WALL1"]', { timeout: 60_000 });
    screens.push(p);
  }
  remote = await browser.newPage({ viewport: { width: 800, height: 600 }, hasTouch: true });
  remote.on('pageerror', (e) => console.error('[remote page error]', e.message));
  await remote.goto(`${url}/remote?group=WALL1`);
  await remote.waitForSelector('form.remote__join', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const stepOf = (p: Page) => p.locator('.briefing').getAttribute('data-step');
const titleOf = (p: Page) => p.getByTestId('step-title').innerText();
const both = <T>(f: (p: Page) => Promise<T>) => Promise.all(screens.map(f));

describe('a briefing driven from a remote', () => {
  it('a wrong PIN is refused on the remote and the screens stay in their attract loop', async () => {
    await remote.fill('input[name="pin"]', '0000');
    await remote.click('button[type="submit"]');
    const alert = remote.locator('.remote__error');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('wrong-pin');
    expect(await alert.innerText()).toContain('Wrong PIN');
    expect(await both((p) => p.locator('.briefing').getAttribute('data-mode'))).toEqual(['attract', 'attract']);
  });

  it('"next" on the remote moves both screens to the same step and caption', async () => {
    await remote.fill('input[name="pin"]', PIN);
    await remote.fill('input[name="name"]', 'Ms Li');
    await remote.click('button[type="submit"]');
    await remote.waitForSelector('.remote[data-joined="1"][data-control="1"]');
    expect(await remote.getByTestId('holder').innerText()).toContain('Ms Li');
    // the step list with notes
    await expect.poll(() => remote.locator('.remote__step').count()).toBe(story.steps.length);
    expect(await remote.locator('.remote__step-notes').first().innerText()).toContain(story.steps[0]!.notes.zh);

    for (const [i, s] of story.steps.slice(0, 2).entries()) {
      await remote.getByTestId('next').tap();
      await expect.poll(() => both(stepOf), { timeout: 30_000 }).toEqual([String(i), String(i)]);
      expect(await both(titleOf)).toEqual([s.title.zh, s.title.zh]);
      expect(await both((p) => p.getByTestId('step-counter').innerText())).toEqual(Array(2).fill(`${i + 1} / ${story.steps.length}`));
      // and the camera flies to the step's pose on both walls (measured from the three.js camera)
      const target = s.view.camera!;
      for (const p of screens) {
        await expect
          .poll(async () => {
            const pose = await p.evaluate(() => window.__twin!.cameraPose());
            return pose !== null && Math.hypot(pose.x - target.x, pose.z - target.z) < target.distance * 0.02 && Math.abs(pose.distance / target.distance - 1) < 0.02;
          }, { timeout: 60_000 })
          .toBe(true);
      }
    }
    // key figures are shown with where they come from
    const sources = await screens[0]!.locator('.briefing__figure').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.source));
    expect(sources.length).toBe(story.steps[1]!.figures.length);
    expect(sources).toContain('sourced');

    if (process.env.UPDATE_SCREENSHOT) {
      const p = screens[0]!;
      await p.setViewportSize({ width: 1280, height: 720 });
      await nextDrawnFrame(p);
      await p.screenshot({ path: path.join(REPO_ROOT, 'docs', 'briefing.png') });
      await p.setViewportSize({ width: 640, height: 360 });
      await remote.screenshot({ path: path.join(REPO_ROOT, 'docs', 'remote.png') });
    }
  });

  it("a screen's own keys do not drive the group", async () => {
    const before = Number(await stepOf(screens[0]!));
    await screens[0]!.keyboard.press('ArrowRight');
    await screens[0]!.keyboard.press('PageDown');
    await remote.getByTestId('next').tap();
    // exactly one step further on both: the remote's, not the keys'
    await expect.poll(() => both(stepOf), { timeout: 30_000 }).toEqual([String(before + 1), String(before + 1)]);
  });

  it('jump to a step, switch the language, blank and unblank, back to the attract loop', async () => {
    await remote.locator('.remote__step').nth(4).tap();
    await expect.poll(() => both(stepOf), { timeout: 30_000 }).toEqual(['4', '4']);
    await remote.getByRole('button', { name: /English/ }).tap();
    await expect.poll(() => both(titleOf), { timeout: 30_000 }).toEqual([story.steps[4]!.title.en, story.steps[4]!.title.en]);

    await remote.getByTestId('blank').tap();
    // the wall goes black where the caption was
    for (const p of screens) {
      await expect.poll(async () => {
        const box = (await p.locator('.briefing__caption').boundingBox())!;
        return (await screenshot(p)).at(box.x + box.width / 2, box.y + box.height / 2);
      }, { timeout: 30_000 }).toEqual([0, 0, 0]);
    }
    await remote.getByTestId('blank').tap();
    await expect.poll(() => both((p) => p.locator('.briefing').getAttribute('data-blank')), { timeout: 30_000 }).toEqual(['0', '0']);

    await remote.getByTestId('attract').tap();
    await expect.poll(() => both((p) => p.locator('.briefing').getAttribute('data-mode')), { timeout: 30_000 }).toEqual(['attract', 'attract']);
  });

  it('alone, a presentation clicker and the keyboard drive the story: PageDown/PageUp, space, B blanks, L switches language', async () => {
    const p = await openTwin(browser, `${url}/briefing?lang=en`, { width: 640, height: 360 });
    await p.waitForSelector('.briefing[data-mode="story"][data-step="0"]', { timeout: 60_000 });
    expect(await titleOf(p)).toBe(story.steps[0]!.title.en);
    await p.keyboard.press('PageDown');
    await p.keyboard.press(' ');
    await p.waitForSelector('.briefing[data-step="2"]');
    await p.keyboard.press('PageUp');
    await p.waitForSelector('.briefing[data-step="1"]');
    expect(await titleOf(p)).toBe(story.steps[1]!.title.en);
    await p.keyboard.press('l');
    await expect.poll(() => titleOf(p)).toBe(story.steps[1]!.title.zh);
    await p.keyboard.press('b');
    await p.waitForSelector('.briefing[data-blank="1"]');
    await p.keyboard.press('b');
    await p.waitForSelector('.briefing[data-blank="0"]');
    await p.close();
  });

  it('on a 4K wall every visible text of the briefing is at least 1/50 of the screen height', async () => {
    const p = screens[1]!;
    await p.setViewportSize({ width: 3840, height: 2160 });
    await p.waitForFunction(() => window.innerHeight === 2160);
    // map labels are the explorer's, sized on their own
    const { texts } = await visibleTexts(p, { root: '.briefing', skip: '.labels' });
    expect(texts.length).toBeGreaterThan(5);
    for (const t of texts) expect(t.fontPx, t.text).toBeGreaterThanOrEqual(2160 / 50);
    // a 4K canvas in software WebGL is heavy: back to small for whatever runs next
    await p.setViewportSize({ width: 640, height: 360 });
  });

});
