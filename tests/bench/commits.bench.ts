/**
 * Measure 4: React commits caused by live ticks, in the real app (built by chromium.ts, served by
 * `createApp(testOptions({ clientDir }))`, real district, real simulator, real socket) in Chromium.
 *
 * A minimal React DevTools global hook is installed before any script runs; React DOM and the @react-three/fiber
 * reconciler both register with it and call `onCommitFiberRoot` on every commit. For each commit we record the
 * renderer and which components rendered in it (a fiber visited in this render whose PerformedWork flag is set;
 * subtrees React skipped are recognised by their stale `return` pointer). A scene commit is any commit of the R3F root,
 * or a React DOM commit in which the canvas itself (TwinCanvas / Canvas) rendered. Ticks are counted from the app's
 * own test hook (`window.__twin.frameSeq`, the last frame whose colours were drawn; every frame before it was applied).
 * Tick rate 4 Hz, so per-second timers (e.g. the status badge's data age, if it committed) would show up as ≈ 0.25
 * commits per tick and tick-driven commits as ≥ 1. A click on the metric switch afterwards is a positive control.
 * No baseline: the budget is 0 commits per tick in scene components.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../server/src/app.ts';
import { testOptions } from '../../server/src/config.ts';
import { launch } from './chromium.ts';
import { log, row, type Row } from './stats.ts';

const TICK_MS = 250;
const WINDOW_MS = 8_000;
/** React DOM components that hold the 3D scene: a commit that renders them re-renders the scene. */
const SCENE_ROOTS = new Set(['TwinCanvas', 'Canvas', 'CanvasImpl']);

interface CommitLog {
  on: boolean;
  /** Commits outside the window (mount, district load): proves the hook is wired. */
  before: number;
  renderers: Record<number, string>;
  commits: Array<{ renderer: number; components: string[] }>;
}

declare global {
  interface Window {
    __commits?: CommitLog;
  }
}

/**
 * Runs in the page before any script: a DevTools hook that records commits. Plain JavaScript in a string, because a
 * function would be serialised as tsx compiled it (with helpers that do not exist in the page).
 */
const INSTALL_HOOK = /* js */ `(() => {
  const log = { on: false, renderers: {}, commits: [], before: 0 };
  window.__commits = log;
  const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15]); // function, class, forwardRef, memo, simple memo
  const PERFORMED_WORK = 1;
  const nameOf = (t) => {
    if (typeof t === 'function') return t.displayName || t.name || '(anonymous)';
    if (t && typeof t === 'object') return t.displayName || nameOf(t.render || t.type);
    return String(t);
  };
  const rendered = (root) => {
    const out = [];
    const stack = [root];
    while (stack.length) {
      const f = stack.pop();
      if (COMPONENT_TAGS.has(f.tag) && (f.flags & PERFORMED_WORK) === PERFORMED_WORK) out.push(nameOf(f.type));
      // a child whose return pointer is not this fiber belongs to a subtree React skipped in this render
      for (let c = f.child; c; c = c.sibling) if (c.return === f) stack.push(c);
    }
    return out;
  };
  let next = 1;
  const hook = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject(renderer) {
      const id = next++;
      hook.renderers.set(id, renderer);
      log.renderers[id] = renderer.rendererPackageName || 'renderer ' + id;
      return id;
    },
    checkDCE() {},
    setStrictMode() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onCommitFiberRoot(id, root) {
      if (log.on) log.commits.push({ renderer: id, components: rendered(root.current) });
      else log.before++;
    },
  };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = hook;
})();`;

export async function commitsBench(clientDir: string): Promise<{ rows: Row[]; raw: unknown }> {
  log('react commits per tick (real app)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-bench-commits-'));
  const app = await createApp(testOptions({ dataDir, clientDir, tickMs: TICK_MS }));
  const browser = await launch();
  try {
    const url = await app.listen();
    const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    await page.addInitScript({ content: INSTALL_HOOK });
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
    // SwiftShader makes start-up slow: let the page work off any backlog of frames before counting.
    const caughtUp = Date.now() + 30_000;
    while (Date.now() < caughtUp && (await page.evaluate(() => window.__twin!.frameSeq)) < app.loop.seq - 2) await page.waitForTimeout(250);
    await page.waitForTimeout(1000);
    const serverSeq0 = app.loop.seq;
    const start = await page.evaluate(() => {
      window.__commits!.on = true;
      return { seq: window.__twin!.frameSeq, t: performance.now() };
    });
    await page.waitForTimeout(WINDOW_MS);
    const end = await page.evaluate(() => {
      window.__commits!.on = false;
      return { seq: window.__twin!.frameSeq, t: performance.now(), log: window.__commits! };
    });
    const result = end.log;
    // Positive control: a user action that must commit (the metric switch), recorded the same way.
    await page.evaluate(() => {
      window.__commits!.commits = [];
      window.__commits!.on = true;
    });
    await page.click('[data-testid="metric-computeLoad"]');
    await page.waitForTimeout(1000);
    const control = await page.evaluate(() => {
      window.__commits!.on = false;
      return window.__commits!.commits;
    });
    const serverTicks = app.loop.seq - serverSeq0;
    await page.close();

    const ticks = end.seq - start.seq;
    const seconds = Math.round((end.t - start.t) / 100) / 10;
    const byRenderer: Record<string, number> = {};
    const byComponent: Record<string, number> = {};
    for (const c of result.commits) {
      const r = result.renderers[c.renderer] ?? `renderer ${c.renderer}`;
      byRenderer[r] = (byRenderer[r] ?? 0) + 1;
      for (const name of new Set(c.components)) byComponent[`${r}: ${name}`] = (byComponent[`${r}: ${name}`] ?? 0) + 1;
    }
    const sceneCommits = result.commits.filter((c) => (result.renderers[c.renderer] ?? '').includes('three') || c.components.some((name) => SCENE_ROOTS.has(name))).length;
    const controlNames = [...new Set(control.flatMap((c) => c.components))].slice(0, 8).join(', ');
    const top = Object.entries(byComponent)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ');
    return {
      rows: [
        row({ section: 4, measure: 'React commits per tick, whole app', scope: `real app, ${ticks} ticks`, unit: 'commits', ours: result.commits.length / Math.max(1, ticks), note: `${result.commits.length} commits in the window: ${top || 'none'}; ${result.before} commits before it (mount, district load) show the hook works; control: clicking the metric switch gave ${control.length} commits (${controlNames})` }),
        row({ section: 4, measure: 'React commits per tick, scene components', scope: `real app, ${ticks} ticks`, unit: 'commits', ours: sceneCommits / Math.max(1, ticks), budget: '0', withinBudget: sceneCommits === 0, note: `commits by renderer: ${JSON.stringify(byRenderer)}; window ${seconds} s: the page applied and drew ${ticks} frames, the server ticked ${serverTicks} times` }),
      ],
      raw: { tickMs: TICK_MS, windowSeconds: seconds, ticks, serverTicks, commitsBefore: result.before, control, commits: result.commits.length, renderers: result.renderers, byRenderer, byComponent },
    };
  } finally {
    await browser.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
