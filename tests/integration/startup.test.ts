/** The real entry point refuses to start on a damaged data set or a bad setting, and says exactly what is wrong. */
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

function damagedCopy(damage: (district: { buildings: Record<string, unknown>[] }) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-data-'));
  for (const f of ['district.json', 'companies.json', 'suppliers.json']) fs.copyFileSync(path.join(REPO_ROOT, 'data', f), path.join(dir, f));
  const file = path.join(dir, 'district.json');
  const district = JSON.parse(fs.readFileSync(file, 'utf8'));
  damage(district);
  fs.writeFileSync(file, JSON.stringify(district));
  return dir;
}

describe('start-up', () => {
  it('exits non-zero on a damaged data file, naming the file, the record and the field', async () => {
    const dir = damagedCopy((d) => {
      d.buildings[3]!.heightM = 'tall';
    });
    const { code, stderr } = await run({ DATASET_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('data set is invalid');
    expect(stderr).toMatch(/data\/district\.json: buildings\[3\] \(id "[^"]+"\): heightM: /);
  });

  it('exits non-zero on a bad setting, naming the variable', async () => {
    const { code, stderr } = await run({ SIMULATOR: 'sometimes' });
    expect(code).toBe(1);
    expect(stderr).toContain('SIMULATOR');
  });
});

describe('start-up with a damaged history database', () => {
  it('exits 1 with one line naming the database file and what to do, not a stack', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wbt-damaged-'));
    const file = path.join(dataDir, 'history.sqlite');
    fs.writeFileSync(file, 'this is not a database, it was overwritten by something else\n'.repeat(200));
    const { code, stderr } = await run({ DATA_DIR: dataDir });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/is damaged .*move it aside .* or restore it from a backup/);
  });
});
