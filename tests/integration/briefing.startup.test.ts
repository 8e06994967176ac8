/** The real entry point refuses to start on a damaged story or a bad presenter setting, naming what is wrong. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../server/src/config.ts';

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server', 'src', 'main.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-start-')), ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up with stories', () => {
  it('exits non-zero on a damaged story with one line naming the file, the step and the field', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-data-'));
    fs.cpSync(path.join(REPO_ROOT, 'data'), dir, { recursive: true });
    const file = path.join(dir, 'stories', 'west-bund-ai.json');
    const story = JSON.parse(fs.readFileSync(file, 'utf8'));
    story.steps[3].view.camera.distance = -5;
    fs.writeFileSync(file, JSON.stringify(story));
    const { code, stderr } = await run({ DATASET_DIR: dir });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n').filter((l) => l.startsWith('data/'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^data\/stories\/west-bund-ai\.json: steps\[3\] \(id "compute-pools"\): view\.camera\.distance: /);
  });

  it('exits non-zero on a PRESENTER_PIN that is too short, naming the variable', async () => {
    const { code, stderr } = await run({ PRESENTER_PIN: '12' });
    expect(code).toBe(1);
    expect(stderr).toContain('PRESENTER_PIN');
  });
});
