/** The registry guards itself, through the built binary: a tampered schema stamp is exit 3 with the fix; doctor names what was broken. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function workspace() {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  expect((await agentctl(['register', 'agents/triage'], { cwd })).exitCode).toBe(0);
  return { cwd, raw: () => new Database(join(cwd, '.agentctl/registry.db')) };
}

describe('a registry that guards itself', () => {
  it('PRAGMA user_version = 0: every command exits 3 with what happened and the fix, no stack; doctor too', async () => {
    const { cwd, raw } = await workspace();
    const db = raw();
    db.pragma('user_version = 0');
    db.close();
    const list = await agentctl(['list'], { cwd });
    expect(list.exitCode).toBe(3);
    expect(list.stderr).toContain('says it is schema 0, but its tables are those of schema');
    expect(list.stderr).toMatch(/PRAGMA user_version = \d+/);
    expect(list.stderr).not.toMatch(/internal error|\n\s+at /);
    const doctor = await agentctl(['doctor'], { cwd });
    expect(doctor.exitCode).toBe(3);
    expect(doctor.stdout).toContain('says it is schema 0');
  });

  it('doctor exits 1 naming a dropped trigger, and --deep names a tampered bundle', async () => {
    const { cwd, raw } = await workspace();
    expect((await agentctl(['doctor', '--deep'], { cwd })).exitCode).toBe(0);
    const db = raw();
    db.exec('DROP TRIGGER versions_immutable');
    db.prepare(`UPDATE versions SET bundle = json_set(bundle, '$.spec.metadata.description', 'tampered') WHERE name = 'triage'`).run();
    db.close();
    const doctor = await agentctl(['doctor', '--json'], { cwd });
    expect(doctor.exitCode).toBe(1);
    const checks = JSON.parse(doctor.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'schema')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('trigger versions_immutable (migration 1) is missing'),
    });
    const deep = await agentctl(['doctor', '--deep'], { cwd });
    expect(deep.exitCode).toBe(1);
    expect(deep.stdout).toMatch(/triage@0\.1\.0: its bundle hashes to sha256:[0-9a-f]{64}, not to its digest/);
    expect(deep.stdout).toContain('fix:');
  });
});
