/**
 * The /lobby compute wall as a visitor sees it on a 4K panel from 3–5 m: every text at least 1/50 of the screen
 * height, no desktop controls, the nine pools' figures as the server states them, and a large offline banner when
 * frames stop that goes by itself when the server is back. No WebGL on this view, so a 4K viewport is cheap; the
 * device scale is 0.5 to keep screenshots small (CSS sizes, which the checks read, do not depend on it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateResponse } from '@models/api.ts';
import type { App } from '../../server/src/app.ts';
import { REPO_ROOT } from '../../server/src/config.ts';
import { minuteOf, STORED_INGEST, type StoredSource } from '../../server/src/history/history.store.ts';
import { launchBrowser, startServer, visibleTexts } from './harness.ts';

const TOKEN = 'lobby-test-token';
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openLobby(url: string, query = '', viewport = { width: 3840, height: 2160 }): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 0.5 });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${url}/lobby${query}`);
  await page.waitForFunction(() => document.body.dataset.lobbyReady === '1', undefined, { timeout: 90_000 });
  return page;
}

async function ingestPools(url: string, app: App, scale: number, at = Date.now()): Promise<void> {
  const ts = new Date(at).toISOString();
  const readings = app.district.suppliers.map((s, i) => {
    const allocated = Math.round(s.capacityPflops * (0.5 + 0.04 * i) * scale * 10) / 10;
    return { kind: 'supplier', supplierId: s.id, ts, capacityPflops: s.capacityPflops, allocatedPflops: allocated, usedPflops: Math.round(allocated * 0.6 * 10) / 10 };
  });
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings }),
  });
  expect(res.status, await res.text()).toBe(200);
}

/** What the wall shows for each pool, and the total row. */
function shownPools(page: Page) {
  return page.evaluate(() => {
    const read = (row: Element) => ({
      used: row.querySelector('[data-field="used"]')!.textContent!,
      allocated: row.querySelector('[data-field="allocated"]')!.textContent!,
      capacity: row.querySelector('[data-field="capacity"]')!.textContent!,
      tags: [...row.querySelectorAll('[data-kind]')].map((t) => (t as HTMLElement).dataset.kind!),
    });
    const rows: Record<string, ReturnType<typeof read>> = {};
    for (const row of document.querySelectorAll('[data-supplier]')) rows[(row as HTMLElement).dataset.supplier!] = read(row);
    return { rows, total: read(document.querySelector('[data-testid="lobby-pools-total"]')!) };
  });
}
const pf = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

describe('the /lobby wall on a 4K screen', () => {
  let app: App;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await startServer({ simulator: { mode: 'off', seed: 4, speed: 1 }, ingestToken: TOKEN }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the nine pools exactly as /api/v1/state states them, with the total, labelled as a live feed', async () => {
    await ingestPools(url, app, 1);
    const page = await openLobby(url, '?lang=zh');
    try {
      const expected = async () => {
        const state = (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
        expect(state.suppliers).toHaveLength(9);
        const rows: Record<string, { used: string; allocated: string; capacity: string }> = {};
        const total = { used: 0, allocated: 0, capacity: 0 };
        for (const p of state.suppliers) {
          rows[p.supplierId] = { used: pf(p.usedPflops), allocated: pf(p.allocatedPflops), capacity: pf(p.capacityPflops) };
          total.used += p.usedPflops;
          total.allocated += p.allocatedPflops;
          total.capacity += p.capacityPflops;
        }
        return { rows, total: { used: pf(total.used), allocated: pf(total.allocated), capacity: pf(total.capacity) } };
      };
      const strip = (s: Awaited<ReturnType<typeof shownPools>>) => ({
        rows: Object.fromEntries(Object.entries(s.rows).map(([k, { used, allocated, capacity }]) => [k, { used, allocated, capacity }])),
        total: { used: s.total.used, allocated: s.total.allocated, capacity: s.total.capacity },
      });
      await expect.poll(async () => strip(await shownPools(page)), { timeout: 30_000 }).toEqual(await expected());
      // a new reading on the server shows up on the wall without a reload
      await ingestPools(url, app, 1.2);
      await expect.poll(async () => strip(await shownPools(page)), { timeout: 30_000 }).toEqual(await expected());
      const shown = await shownPools(page);
      for (const row of Object.values(shown.rows)) expect(row.tags[0]).toBe('live');
      expect(shown.total.tags[0]).toBe('live');
      // the capacity of SenseTime's pool is a sourced fact; the unnamed suppliers' are synthetic
      expect(shown.rows.sensetime!.tags[1]).toBe('sourced');
      expect(shown.rows['supplier-9']!.tags[1]).toBe('synthetic');
    } finally {
      await page.close();
    }
  });

  it("draws each pool's last 24 h from the server's history, labelled live feed, and follows new readings", async () => {
    // minutes of hours ago, written as the sampler writes them: only the server's history has them (no page was open)
    for (const hoursAgo of [20, 12, 6, 2]) {
      const pools = app.district.suppliers.map((s) => ({ supplierId: s.id, capacityPflops: s.capacityPflops, allocatedPflops: s.capacityPflops * 0.5, usedPflops: s.capacityPflops * (0.2 + hoursAgo / 100), source: STORED_INGEST as StoredSource }));
      await app.repository.writeSampledMinute(minuteOf(Date.now() - hoursAgo * 3600_000), [], pools);
    }
    const page = await openLobby(url, '?lang=en');
    const strips = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-strip]')].map((e) => ({ id: e.dataset.strip!, points: Number(e.dataset.points), kind: e.dataset.stripKind!, lastUsed: e.dataset.lastUsed! })),
      );
    try {
      await expect.poll(async () => (await strips()).filter((s) => s.points >= 4).length, { timeout: 30_000 }).toBe(9);
      for (const s of await strips()) expect(s.kind).toBe('live');
      // the tag under the strips' column labels them: every point came from the feed, so "live feed"; from 20 h ago
      expect(await page.getByTestId('lobby-strips-kind').innerText()).toBe('live feed');
      expect(await page.getByTestId('lobby-strips-head').innerText()).toMatch(/^24 h · from \d\d:\d\d$/);
      // a new reading extends every strip without a reload: its last point is the value now on the server
      await ingestPools(url, app, 1.1);
      const state = (await (await fetch(`${url}/api/v1/state`)).json()) as StateResponse;
      const want = Object.fromEntries(state.suppliers.map((p) => [p.supplierId, String(p.usedPflops)]));
      await expect.poll(async () => Object.fromEntries((await strips()).map((s) => [s.id, s.lastUsed])), { timeout: 30_000 }).toEqual(want);
    } finally {
      await page.close();
    }
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`sizes every visible text at 1/50 of the screen height or more and shows no desktop control (${lang})`, async () => {
      const page = await openLobby(url, `?lang=${lang}`);
      try {
        const { texts, height } = await visibleTexts(page, { clip: '.lobby-panel' });
        // the wall shows its content: pools, the building, the platforms and their sourced figures
        expect(texts.length).toBeGreaterThan(60);
        const body = await page.locator('body').innerText();
        expect(body).toContain(lang === 'zh' ? '上下楼就是上下游' : 'Upstairs and downstairs are upstream and downstream');
        expect(body).toContain(lang === 'zh' ? '约 8000 亿元' : '≈ 800 bn yuan');
        const tooSmall = texts.filter((t) => t.fontPx < height / 50 - 0.01);
        expect(tooSmall, `texts under ${(height / 50).toFixed(1)} px`).toEqual([]);
        expect(texts.filter((t) => t.cutOff).map((t) => t.text), 'texts cut off at the bottom of a panel').toEqual([]);
        // nothing spills out of its panel (clipped at an edge) or over what follows it (the floors over their note)
        const spills = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('.lobby-panel, .lobby-floors')]
            .filter((el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
            .map((el) => `${el.className}: ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`),
        );
        expect(spills, 'content larger than its box').toEqual([]);
        const controls = await page.evaluate(() =>
          [...document.querySelectorAll('button, input, select, textarea, a[href], [role="button"]')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
          }).length,
        );
        expect(controls).toBe(0);
        expect(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="lobby"]')!).cursor)).toBe('none');
      } finally {
        await page.close();
      }
    });
  }
});

describe('the /lobby wall when the server goes away', () => {
  it('says "离线 · Offline since" in large type after 10 s without frames and goes back to normal when the server is back', async () => {
    let { app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } });
    const page = await openLobby(url, '?lang=zh', { width: 1280, height: 720 });
    try {
      const banner = page.getByTestId('offline-banner');
      await page.waitForFunction(() => window.__twin !== undefined, undefined, { timeout: 30_000 });
      expect(await banner.count()).toBe(0);
      // the simulator's pools: the strips say simulated, never live feed
      await page.waitForFunction(() => document.querySelectorAll('[data-strip][data-strip-kind="simulated"]').length === 9, undefined, { timeout: 30_000 });
      expect(await page.locator('[data-strip-kind="live"]').count()).toBe(0);
      expect(await page.getByTestId('lobby-strips-kind').innerText()).toBe('模拟');
      const port = Number(new URL(url).port);
      await app.close();
      await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(1);
      const text = await banner.innerText();
      expect(text).toMatch(/离线 · 自 \d\d:\d\d 起/);
      expect(text).toMatch(/Offline since \d\d:\d\d/);
      // large: the banner's text is at least 1/20 of the screen height
      const fontPx = await banner.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      expect(fontPx).toBeGreaterThanOrEqual(720 / 20);
      ({ app, url } = await startServer({ port, simulator: { mode: 'on', seed: 4, speed: 1 } }));
      await expect.poll(() => banner.count(), { timeout: 40_000 }).toBe(0);
    } finally {
      await page.close();
      await app.close();
    }
  });
});

describe.runIf(!!process.env.UPDATE_SCREENSHOT)('the README screenshot', () => {
  it('is taken of /lobby with the simulator on, once the pools are shown', async () => {
    const { app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 1 } });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(`${url}/lobby?lang=zh`);
      await page.waitForFunction(() => document.querySelectorAll('[data-supplier] [data-field="used"]').length === 9 && ![...document.querySelectorAll('[data-supplier] [data-field="used"]')].some((e) => e.textContent === '–'), undefined, { timeout: 60_000 });
      fs.mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'lobby.png') });
    } finally {
      await page.close();
      await app.close();
    }
  });
});
