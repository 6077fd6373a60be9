// The physical floor of an offline eval (bench-eval.mjs): read the sample set, and for each sample
// write the rows agentctl's eval writes — the run (inserted, then finished), its events and spans,
// the result — through better-sqlite3 into the same tables and indexes, with no triggers, in large
// transactions. Nothing else: no agent, no assertions, no redaction. Usage:
//   node bench-eval-floor.mjs samples.jsonl template.json out.db
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const [samplesFile, templateFile, dbFile] = process.argv.slice(2);
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
const db = new Database(dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
for (const sql of template.schema) db.exec(sql);
db.prepare(
  `INSERT INTO evals (eval_id, agent, version, digest, source, dataset_digest, provider, repeat, started_at, actor, team) VALUES ('E', 'echo', '1.0.0', 'd', 'workspace', 'd', 'echo', 1, 0, 'b', 't')`,
).run();
db.prepare(`INSERT INTO sessions (session_id, agent, created_at, created_by) VALUES ('S', 'echo', 0, 'b')`).run();

// One prepared statement per table, columns as the template has them.
const insert = (table, row) =>
  db.prepare(
    `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
      .map(() => '?')
      .join(', ')})`,
  );
const [run] = template.rows.runs;
const { status: _s, output: _o, ended_at: _e, latency_ms: _l, ...started } = run;
const insertRun = insert('runs', { ...started, status: 'running' });
const finishRun = db.prepare('UPDATE runs SET status = ?, output = ?, ended_at = ?, latency_ms = ?, steps = ?, tokens_in = ?, tokens_out = ? WHERE run_id = ?');
const insertEvent = insert('events', template.rows.events[0]);
const insertSpan = insert('spans', template.rows.spans[0]);
const insertResult = insert('eval_results', template.rows.eval_results[0]);

const swap = (text, runId, sampleId, input) =>
  typeof text === 'string'
    ? text.replaceAll(template.runId, runId).replaceAll(template.input, input).replaceAll(`"${template.sampleId}"`, `"${sampleId}"`)
    : text;
const values = (row, runId, sampleId, input) => Object.values(row).map((v) => swap(v, runId, sampleId, input));

const lines = readFileSync(samplesFile, 'utf8').split('\n');
const writeBatch = db.transaction((batch) => {
  for (const { sample, n } of batch) {
    const runId = `${template.runId.slice(0, 10)}${String(n).padStart(16, '0')}`;
    const input = typeof sample.input === 'string' ? sample.input : sample.input.at(-1).content;
    insertRun.run(values({ ...started, status: 'running' }, runId, sample.id, input));
    for (const e of template.rows.events) insertEvent.run(values(e, runId, sample.id, input));
    for (const s of template.rows.spans) insertSpan.run(values({ ...s, span_id: `${s.span_id}${n}` }, runId, sample.id, input));
    finishRun.run(run.status, swap(run.output, runId, sample.id, input), run.ended_at, run.latency_ms, run.steps, run.tokens_in, run.tokens_out, runId);
    insertResult.run(values({ ...template.rows.eval_results[0], eval_id: 'E', sample_id: sample.id }, runId, sample.id, input));
  }
});
let batch = [];
let n = 0;
for (const line of lines) {
  if (!line.trim()) continue;
  batch.push({ sample: JSON.parse(line), n: n++ });
  if (batch.length === 5_000) {
    writeBatch(batch);
    batch = [];
  }
}
writeBatch(batch);
db.close();
