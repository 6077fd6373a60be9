import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { createRedactor } from '../events/redact.js';
import { echoProvider } from '../providers/echo.js';
import { Registry } from '../registry/registry.js';
import { openWorkspace } from '../workspace/open.js';
import { executeRun } from './execute.js';
import { resolveAgent } from './resolve-agent.js';

function setup() {
  const root = scaffoldWorkspace('basic');
  const agent = resolveAgent(openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') }), undefined, 'triage', root);
  const registry = Registry.open({ registryPath: join(root, 'reg.db'), blobsDir: join(root, 'blobs') });
  return { agent, registry, raw: new Database(join(root, 'reg.db')) };
}

async function drain(stream: AsyncGenerator<unknown>) {
  for await (const _ of stream);
}

describe('executeRun with a shared log', () => {
  it('leaves the commit to a log whose commits are on a timer (an eval): no commit per run', async () => {
    const { agent, registry, raw } = setup();
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, flushMs: 60_000 });
    for (let i = 0; i < 3; i++)
      await drain(executeRun({ registry, agent, input: `q${i}`, provider: echoProvider, mode: 'dry', actor: { user: 'u', team: 'team-qa' }, log }));
    expect(raw.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
    log.flush();
    expect(raw.prepare(`SELECT count(*) FROM runs WHERE status = 'succeeded'`).pluck().get()).toBe(3);
  });

  it('commits a run abandoned half-way at once when run ends are durable (the playground)', async () => {
    const { agent, registry, raw } = setup();
    const log = registry.runs.openLog({ redact: createRedactor(), flushMs: 60_000 });
    const stream = executeRun({ registry, agent, input: 'q', provider: echoProvider, mode: 'dry', actor: { user: 'u', team: 'team-qa' }, log });
    await stream.next();
    await stream.return(undefined as never);
    expect(raw.prepare(`SELECT status FROM runs`).pluck().all()).toEqual(['running']);
  });
});
