// Browser tests run against the real built client: build it once before the browser project starts.
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  await build({ configFile: `${root}/vite.config.ts`, logLevel: 'warn' });
}
