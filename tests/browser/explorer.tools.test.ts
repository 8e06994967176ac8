/**
 * The planner's tools in the explorer, as a planner uses them: a filter dims the buildings that do not match (their
 * roofs get darker, a matching roof keeps its colour) and the legend counts the matches; search in Chinese, English
 * and pinyin selects and flies; the exported CSV holds the rows on screen; an alert rule marks the building that
 * crosses it (a ring on the map, a line in the list with since-when); `/` focuses search, Esc clears, arrows typed in
 * a field do not move the map, + and − zoom.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { District } from '@models/district.ts';
import { StoryStep } from '@models/story.ts';
import type { App } from '../../server/src/app.ts';
import { cameraSettled, colourDistance, launchBrowser, openTwin, roofPatch, screenshot, startServer, visibleBuildings } from './harness.ts';

const TOKEN = 'browser-test-token-0123456789';
/** The alert colour (client/src/scene/buildingColours.ts ALERT_RGB, sRGB). */
const ALERT: [number, number, number] = [255, 59, 48];

let app: App;
let url: string;
let browser: Browser;
let page: Page;
let district: District;

beforeAll(async () => {
  // values ingested once stay current for the whole file (stale after an hour)
  ({ app, url } = await startServer({ simulator: { mode: 'fill', seed: 4, speed: 1 }, ingestToken: TOKEN, staleAfterS: 3600 }));
  district = app.district;
  browser = await launchBrowser();
  page = await openTwin(browser, `${url}/?lang=en`);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function ingest(readings: { buildingId: string; occupancy: number }[]): Promise<void> {
  const ts = new Date().toISOString();
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings: readings.map((r) => ({ kind: 'building', buildingId: r.buildingId, ts, occupancy: r.occupancy })) }),
  });
  expect(res.status).toBe(200);
}

/** Wait until the colour pass has run again and its frame is on screen. */
async function nextColourPass(): Promise<void> {
  const n = await page.evaluate(() => window.__twin!.colourPasses);
  await page.waitForFunction((k) => window.__twin!.colourPasses > k, n, { timeout: 60_000 });
}

/** Wait for a live frame that carries the ingested values (two ticks after the POST) to be drawn. */
async function framesAfterIngest(): Promise<void> {
  const seq = await page.evaluate(() => window.__twin!.frameSeq);
  await page.waitForFunction((s) => window.__twin!.frameSeq >= s, seq + 2, { timeout: 60_000 });
}

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const brightness = (c: readonly number[]) => c[0]! + c[1]! + c[2]!;
const byRoof = () => [...district.buildings].sort((a, b) => b.gfaM2 / b.floors - a.gfaM2 / a.floors).map((b) => b.id);
const selParam = () => page.evaluate(() => new URL(location.href).searchParams.get('sel'));

async function openTab(tab: string): Promise<void> {
  if ((await page.getByTestId(`dock-tab-${tab}`).getAttribute('aria-selected')) !== 'true') await page.getByTestId(`dock-tab-${tab}`).click();
  await expect.poll(() => page.getByTestId('tool-dock').getAttribute('data-open')).toBe('1');
}

async function closeDock(): Promise<void> {
  const selected = page.locator('[data-testid^="dock-tab-"][aria-selected="true"]');
  if ((await selected.count()) > 0) await selected.first().click();
  await expect.poll(() => page.getByTestId('tool-dock').getAttribute('data-open')).toBe('0');
}

async function home(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Escape');
  await page.getByTestId('reset-view').click();
  await page.waitForFunction(() => window.__twin!.view().camera === null, undefined, { timeout: 30_000 });
  // the flight home is over when the camera stops moving
  let last = '';
  await expect
    .poll(
      async () => {
        const pose = JSON.stringify(await page.evaluate(() => window.__twin!.cameraPose()));
        const still = pose === last;
        last = pose;
        return still;
      },
      { timeout: 60_000, interval: 400 },
    )
    .toBe(true);
}

/**
 * The largest roof on screen and a roof of another cluster, both held at one value (so neither changes colour on its
 * own while we look), and their colours once that value is drawn.
 */
async function twoClustersRoofs() {
  const visible = await visibleBuildings(page, byRoof(), 40);
  const inside = visible[0]!;
  const cluster = district.buildings.find((b) => b.id === inside.id)!.clusterId;
  const outside = visible.find((p) => district.buildings.find((x) => x.id === p.id)!.clusterId !== cluster);
  if (!outside) throw new Error('no building of another cluster is visible');
  await ingest([
    { buildingId: inside.id, occupancy: 0.6 },
    { buildingId: outside.id, occupancy: 0.6 },
  ]);
  await framesAfterIngest();
  // and a colour pass after those frames is on screen (on a loaded machine the render can trail the frames)
  await nextColourPass();
  return { inside, outside, cluster, insideColour: await roofPatch(page, inside.id), outsideColour: await roofPatch(page, outside.id) };
}

describe('planner tools', () => {
  it('a filter dims the non-matching buildings (darker roofs, matching roof unchanged) and the legend counts the matches', async () => {
    const { inside: a, outside: b, cluster: clusterA, insideColour: aBefore, outsideColour: bBefore } = await twoClustersRoofs();
    expect(await page.getByTestId('legend-filter').count()).toBe(0);

    await openTab('filters');
    await page.getByTestId(`filter-cluster-${clusterA}`).check();
    if (process.env.TOOLS_SHOT) await page.screenshot({ path: '/tmp/tools-filters.png' });
    const expected = district.buildings.filter((x) => x.clusterId === clusterA).length;
    await expect.poll(() => page.getByTestId('legend-filter').getAttribute('data-count'), { timeout: 30_000 }).toBe(String(expected));
    expect(await page.getByTestId('legend-filter').innerText()).toContain(`${expected} / ${district.buildings.length}`);
    expect(await page.getByTestId('filter-count').innerText()).toContain(`${expected} / ${district.buildings.length}`);
    await expect.poll(() => page.evaluate(() => location.search)).toContain(clusterA);
    await closeDock();
    await nextColourPass();

    // read where the two roofs are now and uncovered (opening and closing the dock re-lays the labels)
    const aAfter = await roofPatch(page, a.id);
    const bAfter = await roofPatch(page, b.id);
    if (process.env.TOOLS_SHOT) console.log({ aBefore, aAfter, bBefore, bAfter, a, b }), await page.screenshot({ path: '/tmp/tools-dimmed.png' });
    // the matching roof keeps its colour; the other is dimmed, still drawn (not the background)
    expect(colourDistance(aAfter, aBefore), `matching roof ${a.id} before ${aBefore} after ${aAfter}`).toBeLessThan(12);
    expect(brightness(bAfter), `dimmed roof ${b.id} before ${bBefore} after ${bAfter}`).toBeLessThan(brightness(bBefore) * 0.6);
    expect(brightness(bAfter)).toBeGreaterThan(0);
    // and still there to pick
    const [b2] = await visibleBuildings(page, [b.id], 1);
    expect(await page.evaluate((p) => window.__twin!.buildingIdAt(p.x, p.y), b2!)).toBe(b.id);

    await openTab('filters');
    await page.getByTestId('filter-clear').click();
    await expect.poll(() => page.getByTestId('legend-filter').count()).toBe(0);
    await closeDock();
    await nextColourPass();
    expect(colourDistance(await roofPatch(page, b.id), bBefore)).toBeLessThan(12);
  });

  it('search in Chinese, English and pinyin selects and flies: panel, URL sel= and camera', async () => {
    const named = district.buildings.filter((b) => b.name && b.landmark);
    const zhTarget = named[0]!;
    const enTarget = named.find((b) => b.name!.en !== zhTarget.name!.en && !b.name!.en.includes(zhTarget.name!.en))!;
    const queries: { q: string; expectId?: string; expectLabel?: string }[] = [
      { q: zhTarget.name!.zh, expectId: zhTarget.id },
      { q: enTarget.name!.en, expectId: enTarget.id },
      { q: 'mosu', expectLabel: '模速空间' },
    ];
    for (const { q, expectId, expectLabel } of queries) {
      await home();
      const before = await page.evaluate(() => window.__twin!.cameraPose());
      // `/` from anywhere opens the search and focuses the box
      await page.keyboard.press('/');
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
      await page.getByTestId('search-input').fill(q);
      const first = page.locator('[data-testid="search-results"] [role="option"]').first();
      await expect.poll(() => first.isVisible(), { timeout: 30_000 }).toBe(true);
      if (expectId) await expect.poll(() => first.getAttribute('data-id')).toBe(expectId);
      if (expectLabel) expect(await first.innerText()).toContain(expectLabel);
      const kind = await first.getAttribute('data-kind');
      const id = (await first.getAttribute('data-id'))!;
      await page.getByTestId('search-input').press('Enter');

      if (kind === 'building') {
        await expect.poll(() => selParam()).toBe(`b:${id}`);
        await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(id);
      } else if (kind === 'cluster') {
        await expect.poll(() => selParam()).toBe(`c:${id}`);
        await expect.poll(() => page.getByTestId('cluster-figures').getAttribute('data-cluster')).toBe(id);
      } else {
        // a company: its building is selected, with the company among the tenants
        const company = district.companies.find((c) => c.id === id)!;
        await expect.poll(() => selParam()).toBe(`b:${company.buildingId}`);
        await expect.poll(() => page.getByTestId('inspect-panel').getAttribute('data-building')).toBe(company.buildingId);
      }
      await cameraSettled(page);
      const after = await page.evaluate(() => window.__twin!.cameraPose());
      expect(Math.hypot(after!.x - before!.x, after!.z - before!.z) + Math.abs(after!.distance - before!.distance)).toBeGreaterThan(50);
    }
    await home();
  });

  it('the exported CSV holds the rows on screen: BOM, header, the selected and the filtered buildings with time and source', async () => {
    // labels settle where they stay with the dock closed before a roof is chosen
    await closeDock();
    await nextColourPass();
    const [t] = await visibleBuildings(page, byRoof(), 1);
    await ingest([{ buildingId: t!.id, occupancy: 0.42 }]);
    await framesAfterIngest();
    await page.mouse.click(t!.x, t!.y);
    await expect.poll(() => selParam()).toBe(`b:${t!.id}`);

    await openTab('export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv-selection').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = parseCsv(csv.slice(1).trim());
    const header = lines[0]!;
    expect(header).toContain('building_id');
    expect(header).toContain('values_time');
    expect(header).toContain('occupancy_source');
    expect(lines.length).toBe(2);
    const cells = lines[1]!;
    const col = (name: string) => cells[header.indexOf(name)];
    expect(col('building_id')).toBe(t!.id);
    expect(Math.abs(Number(col('occupancy_pct')) - 42)).toBeLessThan(0.5);
    expect(col('occupancy_source')).toBe('ingest');
    expect(col('occupancy_status')).toBe('fresh');
    expect(col('values_time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d/);

    // the filtered rows: exactly the buildings the legend counts
    const cluster = district.clusters[1]!.id;
    await openTab('filters');
    await page.getByTestId(`filter-cluster-${cluster}`).check();
    await expect.poll(() => page.getByTestId('legend-filter').getAttribute('data-count')).not.toBeNull();
    const count = Number(await page.getByTestId('legend-filter').getAttribute('data-count'));
    await openTab('export');
    const [filtered] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv-filtered').click()]);
    const fcsv = parseCsv(fs.readFileSync((await filtered.path())!, 'utf8').slice(1).trim());
    expect(fcsv.length - 1).toBe(count);
    const ids = new Set(fcsv.slice(1).map((l) => l[0]));
    expect(ids).toEqual(new Set(district.buildings.filter((b) => b.clusterId === cluster).map((b) => b.id)));
    await openTab('filters');
    await page.getByTestId('filter-clear').click();
    await closeDock();
  });

  it('an alert rule marks the building that crosses it: a ring on the map and a line in the list with since-when', async () => {
    await home();
    await closeDock();
    // no hover card over the map
    await page.mouse.move(700, 25);
    // the rule first (the labels settle where they stay once the dock is closed again), then a building to watch
    await openTab('alerts');
    await page.getByTestId('alert-metric').selectOption('occupancy');
    await page.getByTestId('alert-op').selectOption('gt');
    await page.getByTestId('alert-threshold').fill('97');
    await page.getByTestId('alert-minutes').fill('0');
    await page.getByTestId('alert-cluster').selectOption('');
    await page.getByTestId('alert-add').click();
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('al'))).toContain('occupancy:gt:97');
    await closeDock();
    await nextColourPass();

    const visible = await visibleBuildings(page, byRoof(), 10);
    const t = visible[Math.min(3, visible.length - 1)]!;
    await ingest([{ buildingId: t.id, occupancy: 0.3 }]);
    await framesAfterIngest();
    const line = page.locator(`[data-testid="alert-matches"] [data-building="${t.id}"]`);
    await openTab('alerts');
    expect(await line.count()).toBe(0);
    await closeDock();
    await nextColourPass();
    expect(await page.evaluate((id) => window.__twin!.screenPositionOf(id), t.id)).toEqual({ x: t.x, y: t.y });

    const alertPixels = async () => {
      const shot = await screenshot(page);
      let n = 0;
      for (let dy = -14; dy <= 14; dy++) for (let dx = -14; dx <= 14; dx++) if (colourDistance(shot.at(t.x + dx, t.y + dy), ALERT) < 70) n++;
      return n;
    };
    const before = await alertPixels();

    await ingest([{ buildingId: t.id, occupancy: 0.99 }]);
    await openTab('alerts');
    await expect.poll(() => line.count(), { timeout: 30_000 }).toBe(1);
    const text = await line.innerText();
    expect(text).toMatch(/99(\.\d+)? %/);
    expect(text).toMatch(/since .*\d\d:\d\d/);
    await closeDock();
    await nextColourPass();
    const after = await alertPixels();
    if (process.env.TOOLS_SHOT) console.log({ before, after, t }), await page.screenshot({ path: '/tmp/tools-alert.png' });
    expect(after).toBeGreaterThan(before + 15);

    // a click on the line selects the building and flies to it
    await openTab('alerts');
    await line.click();
    await expect.poll(() => selParam()).toBe(`b:${t.id}`);
    // removing the rule takes it out of the link
    await page.locator('[data-testid="alert-rules"] button').first().click();
    await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('al'))).toBeNull();
    await closeDock();
  });

  it("a cluster's label on the map selects the cluster: flown to, its figures and its last 24 h in the clusters tab", async () => {
    await home();
    await closeDock();
    const shown = page.locator('.label--cluster[data-shown="1"] .label__box');
    await expect.poll(() => shown.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const label = shown.first();
    const id = (await label.getAttribute('data-testid'))!.replace('label-cluster-', '');
    const before = await page.evaluate(() => window.__twin!.cameraPose());
    // labels let the pointer through to the map; a click on one is matched to it
    const box = (await label.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => selParam()).toBe(`c:${id}`);
    await expect.poll(() => page.getByTestId('cluster-figures').getAttribute('data-cluster')).toBe(id);
    await expect.poll(() => page.getByTestId('cluster-figures').isVisible()).toBe(true);
    const history = page.getByTestId('cluster-history');
    await expect.poll(() => history.getAttribute('aria-busy'), { timeout: 30_000 }).toBe('false');
    expect(await history.innerText()).toContain('Last 24 hours');
    expect(await history.getAttribute('data-cluster')).toBe(id);
    // each metric says its 24 h figures or that there is no record, with how it is weighted and whether measured
    for (const m of ['occupancy', 'computeLoad']) expect(await page.getByTestId(`cluster-history-${m}`).innerText()).toMatch(/mean .* %|No record/);
    await cameraSettled(page);
    const after = await page.evaluate(() => window.__twin!.cameraPose());
    expect(Math.hypot(after!.x - before!.x, after!.z - before!.z) + Math.abs(after!.distance - before!.distance)).toBeGreaterThan(50);
    await closeDock();
  });

  it('a selected cluster stands out: the roofs of the other clusters fade, its own keep their colour, and the legend says so', async () => {
    await home();
    await closeDock();
    const { inside, outside, cluster: id, insideColour: inPlain, outsideColour: outPlain } = await twoClustersRoofs();
    expect(await page.getByTestId('legend-focus').count()).toBe(0);

    // a link to this very view with the cluster selected (a link's camera wins over the flight to the cluster)
    const pose = (await page.evaluate(() => window.__twin!.cameraPose()))!;
    const link = `${url}/?lang=en&sel=c:${id}&cam=${[pose.x, pose.z, pose.distance, pose.heading, pose.tilt].map((v) => v.toFixed(1)).join(',')}`;
    await page.goto(link);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
    await cameraSettled(page);
    await expect.poll(() => selParam()).toBe(`c:${id}`);
    const name = district.clusters.find((c) => c.id === id)!.name;
    await expect.poll(() => page.getByTestId('legend-focus').innerText()).toContain(name.en);
    expect(await page.getByTestId('legend-focus').innerText()).toContain(name.zh);
    await closeDock();
    await nextColourPass();
    const inFocus = await roofPatch(page, inside.id);
    const outFocus = await roofPatch(page, outside.id);
    if (process.env.TOOLS_SHOT) console.log({ inPlain, inFocus, outPlain, outFocus }), await page.screenshot({ path: '/tmp/tools-focus.png' });
    expect(colourDistance(inFocus, inPlain), `focused roof ${inside.id}: ${inFocus} vs ${inPlain}`).toBeLessThan(12);
    // faded, not dimmed away like a filter's non-match: darker, yet clearly still drawn
    expect(brightness(outFocus), `faded roof ${outside.id}: ${outFocus} vs ${outPlain}`).toBeLessThan(brightness(outPlain) * 0.7);
    expect(brightness(outFocus)).toBeGreaterThan(brightness(outPlain) * 0.25);
  });

  it('saves the view as a story step: a JSON file in the story-step schema holding the view on screen', async () => {
    await openTab('export');
    await page.getByTestId('step-id').fill('tools-test');
    await page.getByTestId('step-titleZh').fill('测试步骤');
    await page.getByTestId('step-titleEn').fill('Test step');
    await page.getByTestId('step-textZh').fill('当前视图。');
    await page.getByTestId('step-textEn').fill('The view on screen.');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('step-download').click()]);
    const step = StoryStep.parse(JSON.parse(fs.readFileSync((await download.path())!, 'utf8')));
    const view = await page.evaluate(() => window.__twin!.view());
    expect(step.id).toBe('tools-test');
    expect(step.title).toEqual({ zh: '测试步骤', en: 'Test step' });
    expect(step.view.metric).toBe(view.metric);
    expect(step.view.selection).toEqual(view.selection);
    expect(step.view.camera).toBeDefined();
    expect(await page.getByTestId('step-status').innerText()).toContain('westbund-step-tools-test.json');
    await closeDock();
  });

  it('keyboard: `/` focuses search, Esc clears, arrows in a field leave the map alone, arrows pan and + zooms', async () => {
    await home();
    const [t] = await visibleBuildings(page, byRoof(), 1);
    await page.mouse.click(t!.x, t!.y);
    await expect.poll(() => selParam()).toBe(`b:${t!.id}`);
    await cameraSettled(page);

    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
    const pose = await page.evaluate(() => window.__twin!.cameraPose());
    await page.keyboard.type('ab');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('-');
    // Esc inside the search belongs to the search (the selection stays)…
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('search-input').inputValue()).toBe('');
    expect(await selParam()).toBe(`b:${t!.id}`);
    const still = await page.evaluate(() => window.__twin!.cameraPose());
    expect(Math.abs(still!.x - pose!.x) + Math.abs(still!.z - pose!.z) + Math.abs(still!.distance - pose!.distance)).toBeLessThan(0.5);

    // …outside it, Esc clears the selection
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Escape');
    await expect.poll(() => selParam()).toBeNull();
    await expect.poll(() => page.getByTestId('inspect-panel').count()).toBe(0);

    // on the map: + zooms in, arrows pan
    const start = await page.evaluate(() => window.__twin!.cameraPose());
    await page.keyboard.press('+');
    await expect.poll(async () => (await page.evaluate(() => window.__twin!.cameraPose()))!.distance, { timeout: 30_000 }).toBeLessThan(start!.distance * 0.95);
    const zoomed = await page.evaluate(() => window.__twin!.cameraPose());
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(async () => {
        const p = (await page.evaluate(() => window.__twin!.cameraPose()))!;
        return Math.hypot(p.x - zoomed!.x, p.z - zoomed!.z);
      }, { timeout: 30_000 })
      .toBeGreaterThan(5);
    await closeDock();
  });
});
