// Scale benches for export, register and list, each against a bare floor measured in the same run:
// export (JSONL, OTLP) of many runs against a bare streaming export written here (better-sqlite3, the same
// rows, the same JSONL bytes, written with back-pressure); register of 1,000 versions against `node -e ''`;
// list --json over 10,000 versions against a bare script printing the same JSON.
// Standalone: `npm run build && node scripts/bench-scale-export.mjs [runs | --register-list]` prints a table.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PAIRS, paired } from './bench-lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const TEMPLATE_RUNS = 1_000;
const T0 = Date.UTC(2026, 10, 1);

function timed(command, args, options) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { ...options, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - started;
  const peakKb = Number((result.stderr.trim().split('\n').at(-1) ?? '').trim());
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-800)}`);
  return { ms, peakMb: peakKb / 1024, stdout: result.stdout };
}

const sha = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

// ---------------------------------------------------------------------------------------------- seeding

const id = (n) => `01J${String(n).padStart(23, '0')}`;
const span = (kind, n) => `${kind}${String(n).padStart(15, '0')}`;

/** A run as the runtime logs it: agent span, a model call asking for a tool, the tool, the answer. */
function runEvents(n, runId, at) {
  const [agent, model, tool] = [span('a', n), span('b', n), span('c', n)];
  const base = { runId };
  return [
    {
      ...base,
      at,
      type: 'run.started',
      sessionId: id(n % 50),
      agent: 'triage',
      version: '0.1.0',
      digest: 'd',
      mode: 'dry',
      provider: 'cassette',
      model: 'gpt-4o-mini',
      input: `question ${n}`,
      history: [],
      policies: [],
    },
    { ...base, at, type: 'span.started', spanId: agent, parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
    { ...base, at: at + 1, type: 'span.started', spanId: model, parentSpanId: agent, kind: 'model', name: 'gpt-4o-mini' },
    { ...base, at: at + 1, type: 'model.request', spanId: model, model: 'gpt-4o-mini', key: `sha256:${'ab'.repeat(32)}`, messages: 2, tools: ['lookup'] },
    {
      ...base,
      at: at + 5,
      type: 'model.response',
      spanId: model,
      model: 'gpt-4o-mini',
      key: `sha256:${'ab'.repeat(32)}`,
      content: null,
      toolCalls: [{ id: `c${n}`, name: 'lookup', arguments: { query: `question ${n}` } }],
      usage: { inputTokens: 40 + (n % 13), outputTokens: 7 },
      costUsd: 0.0001,
      latencyMs: 4,
      finishReason: 'tool_calls',
    },
    { ...base, at: at + 5, type: 'span.ended', spanId: model, status: 'ok', attributes: { inputTokens: 40, outputTokens: 7, costUsd: 0.0001 } },
    { ...base, at: at + 6, type: 'span.started', spanId: tool, parentSpanId: agent, kind: 'tool', name: 'lookup' },
    { ...base, at: at + 6, type: 'tool.call', spanId: tool, tool: 'lookup', input: { query: `question ${n}` } },
    {
      ...base,
      at: at + 7,
      type: 'tool.result',
      spanId: tool,
      tool: 'lookup',
      output: { passage: `The handbook says ${n}: a short passage of text.` },
      source: 'mock',
    },
    { ...base, at: at + 7, type: 'span.ended', spanId: tool, status: 'ok', attributes: {} },
    { ...base, at: at + 8, type: 'span.ended', spanId: agent, status: 'ok', attributes: {} },
    {
      ...base,
      at: at + 9,
      type: 'run.finished',
      status: 'succeeded',
      output: `answer ${n}`,
      errorClass: null,
      error: null,
      fallback: null,
      modelErrors: [],
      steps: 2,
      usage: { inputTokens: 40, outputTokens: 7 },
      costUsd: 0.0001,
      latencyMs: 9,
    },
  ];
}

/**
 * A workspace whose log holds `runs` runs: 1,000 written through the library's event log (redaction and
 * all), then copied under new ids by SQL (the append-only triggers set aside for the copy), so 200,000
 * runs take seconds, not 200,000 commands.
 */
export async function seedRuns(root, runs) {
  const { createRedactor, Registry } = await import('../dist/core/index.js');
  mkdirSync(join(root, '.agentctl'), { recursive: true });
  writeFileSync(join(root, '.agentctl/config.yaml'), 'team: team-bench\n');
  const registry = Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
  const template = Math.min(TEMPLATE_RUNS, runs);
  const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, batchSize: 8192, flushMs: 60_000 });
  for (let n = 0; n < template; n++) {
    const at = T0 + n * 1000;
    const meta = {
      runId: id(n),
      sessionId: id(n % 50),
      agent: 'triage',
      version: '0.1.0',
      digest: 'd',
      owner: 'team-bench',
      team: 'team-bench',
      actor: 'bench',
    };
    log.beginRun({
      ...meta,
      source: 'workspace',
      mode: 'dry',
      provider: 'cassette',
      model: 'gpt-4o-mini',
      snapshot: 's',
      replayOf: null,
      input: `question ${n}`,
      startedAt: at,
    });
    for (const event of runEvents(n, id(n), at)) log.append(event);
  }
  log.flush();
  const db = registry.db;
  const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('runs', 'events')`).all();
  const columns = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .pluck()
    .all('runs')
    .map((c) =>
      c === 'run_id' ? `'01J' || printf('%023d', @offset + CAST(substr(run_id, 4) AS INTEGER))` : c === 'started_at' || c === 'ended_at' ? `${c} + @shift` : c,
    );
  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    const copyRuns = db.prepare(`INSERT INTO runs SELECT ${columns.join(', ')} FROM runs WHERE CAST(substr(run_id, 4) AS INTEGER) < @n`);
    const copyEvents = db.prepare(
      `INSERT INTO events SELECT '01J' || printf('%023d', @offset + CAST(substr(run_id, 4) AS INTEGER)), seq, type, at + @shift, span_id, payload
       FROM events WHERE run_id < @limit`,
    );
    for (let offset = template; offset < runs; offset += template) {
      const n = Math.min(template, runs - offset);
      const params = { offset, shift: offset * 1000, n };
      copyRuns.run(params);
      copyEvents.run({ offset, shift: offset * 1000, limit: id(n) });
    }
    for (const t of triggers) db.exec(t.sql);
  })();
  registry.close();
}

// ------------------------------------------------------------------------------------ the export floor

/** The bare streaming export: one joined query, JSON in and out, the same JSONL bytes, back-pressure. */
async function floorExport(dbPath, outPath) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  const out = createWriteStream(outPath);
  const defaults = { 'run.started': { history: [], policies: [] }, 'run.finished': { fallback: null, modelErrors: [] } };
  const rows = db
    .prepare(
      `SELECT r.run_id, r.session_id, r.agent, r.version, e.seq, e.type, e.at, e.payload FROM runs r CROSS JOIN events e ON e.run_id = r.run_id
       ORDER BY r.started_at, r.run_id, e.seq`,
    )
    .raw()
    .iterate();
  let chunk = '';
  for (const [runId, sessionId, agent, version, seq, type, at, payload] of rows) {
    const { type: _t, runId: _r, at: _a, seq: _s, ...rest } = { ...defaults[type], ...JSON.parse(payload) };
    chunk += `${JSON.stringify({ eventId: `${runId}.${seq}`, runId, sessionId, agent, version, seq, type, time: new Date(at).toISOString(), ...rest })}\n`;
    if (chunk.length >= 65536) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  db.close();
}

/** The bare list: the same queries `list` needs, the same JSON on stdout. */
async function floorList(dbPath) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  const held = new Map();
  for (const [n, v, s] of db.prepare('SELECT name, version, stage FROM stage_holders').raw().all())
    held.set(`${n}@${v}`, [...(held.get(`${n}@${v}`) ?? []), s]);
  const used = new Map(
    db
      .prepare('SELECT dep_name, dep_version, count(*) FROM version_dependencies GROUP BY dep_name, dep_version')
      .raw()
      .all()
      .map(([n, v, c]) => [`${n}@${v}`, c]),
  );
  const rolled = new Set(
    db
      .prepare(
        `SELECT DISTINCT m.name, m.from_version FROM stage_moves m WHERE m.action = 'rollback' AND NOT EXISTS (SELECT 1 FROM stage_moves later
         WHERE later.name = m.name AND later.stage = m.stage AND later.to_version = m.from_version AND later.id > m.id)`,
      )
      .raw()
      .all()
      .map(([n, v]) => `${n}@${v}`),
  );
  const rows = db
    .prepare(
      `SELECT kind, name, version, owner, stage, status, digest, created_at, created_by FROM versions ORDER BY name, major, minor, patch, prerelease = '', prerelease`,
    )
    .raw()
    .all()
    .map(([kind, name, version, owner, stage, status, digest, createdAt, createdBy]) => ({
      kind,
      name,
      version,
      owner,
      stage,
      status,
      digest,
      createdAt,
      createdBy,
      holds: held.get(`${name}@${version}`) ?? [],
      rolledBack: rolled.has(`${name}@${version}`),
      usedBy: used.get(`${name}@${version}`) ?? 0,
    }));
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  db.close();
}

// ------------------------------------------------------------------------------------------- the benches

/**
 * Paired with the floor (A B A B …, bench-lib.mjs). The OTLP row is compared with the same bare JSONL
 * export: the floor is "read the rows, write their bytes", and OTLP's bytes are only reshaped.
 */
export async function benchExport({ bin, work, env, runs = 200_000, pairs = PAIRS }) {
  const root = join(work, 'export');
  rmSync(root, { recursive: true, force: true });
  await seedRuns(root, runs);
  const dbPath = join(root, '.agentctl/registry.db');
  const out = (name) => join(root, name);
  const floor = () => timed(process.execPath, [SELF, '--floor-export', dbPath, out('floor.jsonl')], { env });
  const ours = (format, file) => () => timed(process.execPath, [bin, 'export', '--format', format, '--out', out(file)], { cwd: root, env });
  const jsonl = await paired(ours('jsonl', 'export.jsonl'), floor, pairs);
  if (sha(out('floor.jsonl')) !== sha(out('export.jsonl'))) throw new Error('the floor and agentctl export wrote different JSONL bytes');
  const otlp = await paired(ours('otlp', 'export.otlp.json'), floor, pairs);
  rmSync(root, { recursive: true, force: true });
  return { jsonl, otlp };
}

const toolSpec = (i, version) =>
  `apiVersion: agentctl/v1\nkind: Tool\nmetadata:\n  name: tool-${String(i).padStart(4, '0')}\n  version: ${version}\n  owner: team-bench\nspec:\n  description: Tool number ${i}.\n  input: { type: object, properties: { key: { type: string } } }\n  sideEffects: read\n  implementation: { type: http, url: https://tools.example.com/${i}, method: GET }\n  mocks:\n    - output: { ok: true }\n`;

function writeTools(root, version) {
  for (let i = 0; i < 1_000; i++) {
    mkdirSync(join(root, 'tools', `tool-${String(i).padStart(4, '0')}`), { recursive: true });
    writeFileSync(join(root, 'tools', `tool-${String(i).padStart(4, '0')}`, 'tool.yaml'), toolSpec(i, version));
  }
}

/** register of 1,000 new versions paired with `node -e ''`, round by round up to 10,000 versions; then list. */
export async function benchRegisterAndList({ bin, work, env, pairs = PAIRS }) {
  const root = join(work, 'register');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, '.agentctl'), { recursive: true });
  writeFileSync(join(root, '.agentctl/config.yaml'), 'team: team-bench\n');
  let round = 0;
  // The first round also creates the database (not timed): paired() runs each side once to warm up.
  const register = () => {
    writeTools(root, `1.${round++}.0`);
    return timed(process.execPath, [bin, 'register', 'tools'], { cwd: root, env });
  };
  const registered = await paired(register, () => timed(process.execPath, ['-e', ''], { env }), pairs);
  while (round < 10) register();
  const list = await paired(
    () => timed(process.execPath, [bin, 'list', '--json'], { cwd: root, env }),
    () => timed(process.execPath, [SELF, '--floor-list', join(root, '.agentctl/registry.db')], { env }),
    pairs,
  );
  const [ours, floor] = [
    timed(process.execPath, [bin, 'list', '--json'], { cwd: root, env }),
    timed(process.execPath, [SELF, '--floor-list', join(root, '.agentctl/registry.db')], { env }),
  ];
  if (ours.stdout !== floor.stdout) throw new Error('the floor and agentctl list --json printed different JSON');
  const versions = JSON.parse(ours.stdout).length;
  rmSync(root, { recursive: true, force: true });
  return { register: registered, list, versions };
}

// ---------------------------------------------------------------------------------------------- standalone

if (process.argv[1] === SELF) {
  const [flag, a, b] = process.argv.slice(2);
  if (flag === '--floor-export') await floorExport(a, b);
  else if (flag === '--floor-list') await floorList(a);
  else {
    const bin = fileURLToPath(new URL('../bin/agentctl.js', import.meta.url));
    const work = mkdtempSync(join(tmpdir(), 'agentctl-bench-scale-'));
    const env = { ...process.env, CI: 'true', NO_COLOR: '1', XDG_CONFIG_HOME: join(work, 'xdg') };
    // --register-list runs only the register and list rows (the export seeding alone takes a while).
    const only = flag === '--register-list';
    const runs = only ? 0 : Number(flag ?? 200_000);
    try {
      const e = only ? undefined : await benchExport({ bin, work, env, runs });
      const r = await benchRegisterAndList({ bin, work, env });
      const row = (what, p, target, extra = '') =>
        console.log(
          `${what.padEnd(34)} ${p.a.ms.toFixed(0).padStart(7)} ms  ${p.ratio.toFixed(2).padStart(5)}× (${p.range.map((x) => x.toFixed(2)).join('–')}, ${p.pairs} pairs; target ≤ ${target}×)${extra}`,
        );
      if (e) {
        console.log(`floor: bare streaming export ${e.jsonl.b.ms.toFixed(0)} ms, ${e.jsonl.b.peakMb.toFixed(0)} MB peak`);
        row(`export --format jsonl (${runs} runs)`, e.jsonl, 1.3, `  ${e.jsonl.a.peakMb.toFixed(0)} MB peak (< 150)`);
        row(`export --format otlp (${runs} runs)`, e.otlp, 1.3, `  ${e.otlp.a.peakMb.toFixed(0)} MB peak (< 150)`);
      }
      row("register (1,000 versions) / node -e ''", r.register, 10);
      row(`list --json (${r.versions} versions) / bare`, r.list, 1.2);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
