/**
 * The app passes its own Content-Security-Policy: the explorer loads, draws and takes live frames in Chromium with the
 * policy the server sends, and the page records no violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/src/app.ts';
import { launchBrowser, nextDrawnFrame, startServer } from './harness.ts';

let app: App;
let url: string;
let browser: Browser;

beforeAll(async () => {
  ({ app, url } = await startServer({ simulator: { mode: 'on', seed: 4, speed: 600 } }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('content security policy', () => {
  it('loads the explorer under the CSP the server sends, with no violation', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    // Installed before any of the page's own code runs.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
    });
    const consoleCsp: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
    });
    const res = await page.goto(url);
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
    // Live frames over the socket (connect-src), drawn on the canvas.
    await nextDrawnFrame(page, 2);
    // Switch language through the UI, which re-renders the panels.
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 90_000 });
    await nextDrawnFrame(page, 1);
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    expect(violations).toEqual([]);
    expect(consoleCsp).toEqual([]);
    await page.close();
  });
});
