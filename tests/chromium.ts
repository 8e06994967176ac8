/** Debian's Chromium, driven by playwright-core, with the flags that make it work here: the browser tests and the bench use this. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  // WebGL in software: slow, but real
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  // the machine's network is closed: without these Chromium keeps trying to reach Google
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
