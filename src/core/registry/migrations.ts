/**
 * Versioned migrations, tracked in PRAGMA user_version. The registry's invariants live here, in the schema
 * itself, so a raw SQL client cannot break them either:
 * - a registered name@version never changes, and its number is never reused, even after deletion;
 * - status and stage only move along the lifecycle, and only through an audit row in `transitions`;
 * - audit rows, retired versions and dependency locks are append-only;
 * - only the owner team appears as the actor team of a change.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const appendOnly = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;

const registry: Migration = {
  version: 1,
  name: 'registry',
  sql: `
CREATE TABLE objects (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9-]*'
    AND name NOT GLOB '-*' AND name NOT GLOB '*-'),
  kind TEXT NOT NULL CHECK (kind IN ('Agent', 'Tool', 'Policy')),
  owner TEXT NOT NULL CHECK (length(owner) > 0),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

CREATE TABLE transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('register', 'promote', 'deprecate', 'disable', 'delete')),
  from_status TEXT, from_stage TEXT,
  to_status TEXT, to_stage TEXT,
  actor TEXT NOT NULL CHECK (length(actor) > 0),
  team TEXT NOT NULL CHECK (length(team) > 0),
  at TEXT NOT NULL,
  reason TEXT
) STRICT;
CREATE INDEX transitions_by_version ON transitions (name, version, id);

-- The lifecycle as data: draft → active(dev) → active(canary) → active(prod) → deprecated → disabled.
CREATE TABLE lifecycle (
  action TEXT NOT NULL,
  from_status TEXT, from_stage TEXT,
  to_status TEXT, to_stage TEXT
) STRICT;
INSERT INTO lifecycle VALUES
  ('register', NULL, NULL, 'draft', 'dev'),
  ('promote', 'draft', 'dev', 'active', 'dev'),
  ('promote', 'active', 'dev', 'active', 'canary'),
  ('promote', 'active', 'canary', 'active', 'prod'),
  ('deprecate', 'active', 'dev', 'deprecated', 'dev'),
  ('deprecate', 'active', 'canary', 'deprecated', 'canary'),
  ('deprecate', 'active', 'prod', 'deprecated', 'prod'),
  ('disable', 'deprecated', 'dev', 'disabled', 'dev'),
  ('disable', 'deprecated', 'canary', 'disabled', 'canary'),
  ('disable', 'deprecated', 'prod', 'disabled', 'prod'),
  ('delete', 'draft', 'dev', NULL, NULL);

CREATE TABLE versions (
  name TEXT NOT NULL REFERENCES objects (name),
  version TEXT NOT NULL CHECK (length(version) > 0),
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  digest TEXT NOT NULL CHECK (digest GLOB 'sha256:*' AND length(digest) = 71 AND substr(digest, 8) NOT GLOB '*[^0-9a-f]*'),
  stage TEXT NOT NULL CHECK (stage IN ('dev', 'canary', 'prod')),
  status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'deprecated', 'disabled')),
  major INTEGER NOT NULL, minor INTEGER NOT NULL, patch INTEGER NOT NULL,
  prerelease TEXT NOT NULL DEFAULT '',
  bundle TEXT NOT NULL CHECK (json_valid(bundle)),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  last_transition INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) STRICT;
CREATE INDEX versions_by_digest ON versions (digest);

-- Tombstones: a deleted version's number is never reused.
CREATE TABLE retired_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  retired_at TEXT NOT NULL,
  PRIMARY KEY (name, version)
) STRICT;

-- What each ref resolved to when the version was registered (a lock, immutable like the version).
CREATE TABLE version_dependencies (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  ref TEXT NOT NULL,
  dep_name TEXT NOT NULL,
  dep_version TEXT NOT NULL,
  dep_digest TEXT NOT NULL,
  PRIMARY KEY (name, version, ref)
) STRICT;

${appendOnly('transitions')}
${appendOnly('retired_versions')}
${appendOnly('version_dependencies')}

-- INSERT OR REPLACE deletes without firing delete triggers: refuse any insert that collides first.
CREATE TRIGGER transitions_no_replace BEFORE INSERT ON transitions WHEN NEW.id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'transitions is append-only') WHERE EXISTS (SELECT 1 FROM transitions WHERE id = NEW.id); END;
CREATE TRIGGER retired_versions_no_replace BEFORE INSERT ON retired_versions
BEGIN SELECT RAISE(ABORT, 'retired_versions is append-only')
  WHERE EXISTS (SELECT 1 FROM retired_versions WHERE name = NEW.name AND version = NEW.version); END;
CREATE TRIGGER version_dependencies_no_replace BEFORE INSERT ON version_dependencies
BEGIN
  SELECT RAISE(ABORT, 'version_dependencies is append-only')
  WHERE EXISTS (SELECT 1 FROM version_dependencies WHERE name = NEW.name AND version = NEW.version AND ref = NEW.ref);
  SELECT RAISE(ABORT, 'dependencies are recorded only while the version is being registered')
  WHERE NOT EXISTS (SELECT 1 FROM versions v JOIN transitions t ON t.id = v.last_transition
                    WHERE v.name = NEW.name AND v.version = NEW.version AND t.action = 'register');
END;

CREATE TRIGGER objects_no_replace BEFORE INSERT ON objects
BEGIN SELECT RAISE(ABORT, 'object already exists') WHERE EXISTS (SELECT 1 FROM objects WHERE name = NEW.name); END;
CREATE TRIGGER objects_immutable BEFORE UPDATE ON objects
BEGIN SELECT RAISE(ABORT, 'objects never change: name, kind and owner are fixed'); END;
CREATE TRIGGER objects_no_delete BEFORE DELETE ON objects
BEGIN SELECT RAISE(ABORT, 'objects are never deleted'); END;

-- A transition must start from the version's current state, follow the lifecycle, and come from the owner team.
CREATE TRIGGER transitions_follow_lifecycle BEFORE INSERT ON transitions
BEGIN
  SELECT RAISE(ABORT, 'transition not allowed by the lifecycle')
  WHERE NOT EXISTS (SELECT 1 FROM lifecycle l WHERE l.action = NEW.action
    AND l.from_status IS NEW.from_status AND l.from_stage IS NEW.from_stage
    AND l.to_status IS NEW.to_status AND l.to_stage IS NEW.to_stage);
  SELECT RAISE(ABORT, 'version number already used (registered or retired)')
  WHERE NEW.action = 'register' AND (
    EXISTS (SELECT 1 FROM versions WHERE name = NEW.name AND version = NEW.version)
    OR EXISTS (SELECT 1 FROM retired_versions WHERE name = NEW.name AND version = NEW.version));
  SELECT RAISE(ABORT, 'transition does not start from the current state of the version')
  WHERE NEW.action <> 'register' AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.name = NEW.name
    AND v.version = NEW.version AND v.status = NEW.from_status AND v.stage = NEW.from_stage);
  SELECT RAISE(ABORT, 'only the owner team may change an object')
  WHERE EXISTS (SELECT 1 FROM objects o WHERE o.name = NEW.name AND o.owner <> NEW.team);
END;

-- Applying a transition is the only way status and stage change.
CREATE TRIGGER transitions_apply AFTER INSERT ON transitions WHEN NEW.action NOT IN ('register', 'delete')
BEGIN
  UPDATE versions SET status = NEW.to_status, stage = NEW.to_stage, last_transition = NEW.id
  WHERE name = NEW.name AND version = NEW.version;
END;
CREATE TRIGGER transitions_apply_delete AFTER INSERT ON transitions WHEN NEW.action = 'delete'
BEGIN
  DELETE FROM versions WHERE name = NEW.name AND version = NEW.version;
END;

CREATE TRIGGER versions_insert_checks BEFORE INSERT ON versions
BEGIN
  SELECT RAISE(ABORT, 'name@version is already registered: registered versions never change')
  WHERE EXISTS (SELECT 1 FROM versions WHERE name = NEW.name AND version = NEW.version);
  SELECT RAISE(ABORT, 'version number already used (retired): a deleted version is never reused')
  WHERE EXISTS (SELECT 1 FROM retired_versions WHERE name = NEW.name AND version = NEW.version);
  SELECT RAISE(ABORT, 'a version is registered as draft in stage dev')
  WHERE NEW.status <> 'draft' OR NEW.stage <> 'dev';
  SELECT RAISE(ABORT, 'a version needs its register audit row')
  WHERE NOT EXISTS (SELECT 1 FROM transitions WHERE id = NEW.last_transition AND action = 'register'
    AND name = NEW.name AND version = NEW.version);
  SELECT RAISE(ABORT, 'kind and owner must match the object')
  WHERE NOT EXISTS (SELECT 1 FROM objects WHERE name = NEW.name AND kind = NEW.kind AND owner = NEW.owner);
END;

CREATE TRIGGER versions_immutable BEFORE UPDATE ON versions
BEGIN
  SELECT RAISE(ABORT, 'registered versions never change: only status and stage move, through transitions')
  WHERE NEW.name IS NOT OLD.name OR NEW.version IS NOT OLD.version OR NEW.kind IS NOT OLD.kind
     OR NEW.owner IS NOT OLD.owner OR NEW.digest IS NOT OLD.digest OR NEW.bundle IS NOT OLD.bundle
     OR NEW.major IS NOT OLD.major OR NEW.minor IS NOT OLD.minor OR NEW.patch IS NOT OLD.patch
     OR NEW.prerelease IS NOT OLD.prerelease OR NEW.created_at IS NOT OLD.created_at
     OR NEW.created_by IS NOT OLD.created_by;
  SELECT RAISE(ABORT, 'status and stage change only through an audited transition')
  WHERE NOT EXISTS (SELECT 1 FROM transitions t WHERE t.id = NEW.last_transition AND t.id > OLD.last_transition
    AND t.name = NEW.name AND t.version = NEW.version
    AND t.from_status = OLD.status AND t.from_stage = OLD.stage
    AND t.to_status = NEW.status AND t.to_stage = NEW.stage);
END;

CREATE TRIGGER versions_delete_only_audited BEFORE DELETE ON versions
BEGIN
  SELECT RAISE(ABORT, 'versions are deleted only through an audited delete transition (drafts only)')
  WHERE NOT EXISTS (SELECT 1 FROM transitions t WHERE t.name = OLD.name AND t.version = OLD.version
    AND t.action = 'delete' AND t.id > OLD.last_transition);
END;
CREATE TRIGGER versions_retire AFTER DELETE ON versions
BEGIN
  INSERT INTO retired_versions (name, version, digest, retired_at)
  VALUES (OLD.name, OLD.version, OLD.digest, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
`,
};

/**
 * The event log: sessions, runs, spans and events. Events and spans are append-only; an event re-sent
 * with the same (run, seq) changes nothing; seqs are contiguous per run; a finished run never changes.
 * Timestamps are epoch milliseconds (stats aggregate over them).
 */
const eventLog: Migration = {
  version: 2,
  name: 'event-log',
  sql: `
CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
) STRICT;

CREATE TABLE runs (
  run_id TEXT PRIMARY KEY CHECK (length(run_id) = 26),
  session_id TEXT NOT NULL REFERENCES sessions (session_id),
  agent TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('registry', 'workspace', 'replay')),
  mode TEXT NOT NULL CHECK (mode IN ('dry', 'live')),
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  replay_of TEXT,
  input TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'failed', 'needs-human', 'cancelled', 'interrupted')),
  output TEXT,
  error_class TEXT,
  error TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  latency_ms INTEGER,
  steps INTEGER NOT NULL DEFAULT 0,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL
) STRICT;
CREATE INDEX runs_by_time ON runs (started_at);
CREATE INDEX runs_by_agent ON runs (agent, version, started_at);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

CREATE TRIGGER runs_insert_running BEFORE INSERT ON runs
BEGIN
  SELECT RAISE(ABORT, 'a run starts as running') WHERE NEW.status <> 'running';
  SELECT RAISE(ABORT, 'run already exists') WHERE EXISTS (SELECT 1 FROM runs WHERE run_id = NEW.run_id);
END;
CREATE TRIGGER runs_finish_once BEFORE UPDATE ON runs
BEGIN
  SELECT RAISE(ABORT, 'a finished run never changes') WHERE OLD.status <> 'running';
  SELECT RAISE(ABORT, 'a run''s identity never changes')
  WHERE NEW.run_id IS NOT OLD.run_id OR NEW.session_id IS NOT OLD.session_id OR NEW.agent IS NOT OLD.agent
     OR NEW.version IS NOT OLD.version OR NEW.digest IS NOT OLD.digest OR NEW.input IS NOT OLD.input
     OR NEW.snapshot IS NOT OLD.snapshot OR NEW.started_at IS NOT OLD.started_at OR NEW.mode IS NOT OLD.mode;
END;
CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'runs are never deleted'); END;

CREATE TABLE events (
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  seq INTEGER NOT NULL CHECK (seq > 0),
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  span_id TEXT,
  payload TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_append_only BEFORE INSERT ON events
BEGIN
  -- Idempotent: the same event (run, seq) sent again is silently ignored, whatever the statement says.
  SELECT RAISE(IGNORE) WHERE EXISTS (SELECT 1 FROM events WHERE run_id = NEW.run_id AND seq = NEW.seq);
  SELECT RAISE(ABORT, 'events are appended in order: seq must follow the last one')
  WHERE NEW.seq <> COALESCE((SELECT max(seq) FROM events WHERE run_id = NEW.run_id), 0) + 1;
  SELECT RAISE(ABORT, 'the run is finished: no more events')
  WHERE (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running';
END;
${appendOnly('events')}

CREATE TABLE spans (
  span_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  parent_span_id TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('agent', 'model', 'tool', 'sub-agent', 'policy', 'context')),
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  attributes TEXT NOT NULL
) STRICT;
CREATE INDEX spans_by_run ON spans (run_id);
CREATE TRIGGER spans_no_replace BEFORE INSERT ON spans
BEGIN SELECT RAISE(IGNORE) WHERE EXISTS (SELECT 1 FROM spans WHERE span_id = NEW.span_id); END;
${appendOnly('spans')}
`,
};

/**
 * Evidence for the gates: eval results bound to the exact digest they measured, and approvals. Results
 * and approvals are append-only; an eval is finished once (complete or partial) and never changes.
 */
const evidence: Migration = {
  version: 3,
  name: 'evals-and-approvals',
  sql: `
CREATE TABLE evals (
  eval_id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  source TEXT NOT NULL,
  dataset_digest TEXT NOT NULL,
  provider TEXT NOT NULL,
  repeat INTEGER NOT NULL CHECK (repeat >= 1),
  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'partial')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  samples INTEGER NOT NULL DEFAULT 0,
  executions INTEGER NOT NULL DEFAULT 0,
  passed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  pass_rate REAL,
  baseline_ref TEXT,
  baseline_digest TEXT,
  regressions INTEGER,
  summary TEXT,
  actor TEXT NOT NULL,
  team TEXT NOT NULL
) STRICT;
CREATE INDEX evals_by_digest ON evals (digest, finished_at);
CREATE TRIGGER evals_finish_once BEFORE UPDATE ON evals
BEGIN
  SELECT RAISE(ABORT, 'a finished eval never changes') WHERE OLD.status <> 'running';
  SELECT RAISE(ABORT, 'an eval''s subject never changes')
  WHERE NEW.digest IS NOT OLD.digest OR NEW.dataset_digest IS NOT OLD.dataset_digest OR NEW.agent IS NOT OLD.agent OR NEW.version IS NOT OLD.version;
END;
CREATE TRIGGER evals_no_delete BEFORE DELETE ON evals
BEGIN SELECT RAISE(ABORT, 'eval evidence is never deleted'); END;

CREATE TABLE eval_results (
  eval_id TEXT NOT NULL REFERENCES evals (eval_id),
  sample_id TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  run_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
  score REAL NOT NULL,
  assertions TEXT NOT NULL,
  output TEXT,
  error TEXT,
  latency_ms INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  PRIMARY KEY (eval_id, sample_id, iteration)
) STRICT;
CREATE TRIGGER eval_results_while_running BEFORE INSERT ON eval_results
BEGIN
  SELECT RAISE(ABORT, 'eval_results is append-only')
  WHERE EXISTS (SELECT 1 FROM eval_results WHERE eval_id = NEW.eval_id AND sample_id = NEW.sample_id AND iteration = NEW.iteration);
  SELECT RAISE(ABORT, 'results are added only while the eval runs')
  WHERE (SELECT status FROM evals WHERE eval_id = NEW.eval_id) IS NOT 'running';
END;
${appendOnly('eval_results')}

CREATE TABLE approvals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  user TEXT NOT NULL,
  team TEXT NOT NULL,
  note TEXT,
  at TEXT NOT NULL,
  UNIQUE (name, version, user)
) STRICT;
CREATE TRIGGER approvals_match_version BEFORE INSERT ON approvals
BEGIN
  SELECT RAISE(ABORT, 'this user already approved this version')
  WHERE EXISTS (SELECT 1 FROM approvals WHERE name = NEW.name AND version = NEW.version AND user = NEW.user);
  SELECT RAISE(ABORT, 'an approval names a registered version and its digest')
  WHERE NOT EXISTS (SELECT 1 FROM versions WHERE name = NEW.name AND version = NEW.version AND digest = NEW.digest);
END;
${appendOnly('approvals')}
`,
};

/**
 * Honest runs: how a run's answer came about (a fallback, and the model errors before it) is kept with
 * the run; sessions are listed by id; an eval remembers which process runs it, so one left behind by a
 * killed process is marked interrupted by the next command, as runs are.
 */
const honestRuns: Migration = {
  version: 4,
  name: 'honest-runs',
  sql: `
ALTER TABLE runs ADD COLUMN fallback TEXT CHECK (fallback IN ('model', 'rule', 'human'));
ALTER TABLE runs ADD COLUMN model_errors TEXT CHECK (model_errors IS NULL OR json_valid(model_errors));
-- 1 when some model response of the run reported no usage and its tokens were estimated.
ALTER TABLE runs ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0 CHECK (usage_estimated IN (0, 1));
CREATE INDEX runs_by_session ON runs (session_id, started_at);
ALTER TABLE evals ADD COLUMN pid INTEGER;
ALTER TABLE evals ADD COLUMN host TEXT;
ALTER TABLE evals ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1));
`,
};

const RANK = (column: string) => `(CASE ${column} WHEN 'dev' THEN 0 WHEN 'canary' THEN 1 WHEN 'prod' THEN 2 END)`;

/**
 * Stages route: each agent (and tool, and policy) has at most one holder per stage — the version that
 * \`name@prod\` means now. Holders change only through \`stage_moves\`, an append-only audit of every move
 * (a promotion takes the stage from its previous holder; a rollback gives it back to a version that held
 * it before). The primary key is the "one holder" rule; the triggers make the moves the only way in.
 * Existing registries are backfilled: the last version promoted to a stage, if still active, holds it.
 */
const stages: Migration = {
  version: 5,
  name: 'stage-holders',
  sql: `
CREATE TABLE stage_moves (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('dev', 'canary', 'prod')),
  from_version TEXT,
  to_version TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('promote', 'rollback')),
  actor TEXT NOT NULL CHECK (length(actor) > 0),
  team TEXT NOT NULL CHECK (length(team) > 0),
  at TEXT NOT NULL,
  reason TEXT
) STRICT;
CREATE INDEX stage_moves_by_stage ON stage_moves (name, stage, id);
CREATE INDEX stage_moves_by_from ON stage_moves (name, from_version);

CREATE TABLE stage_holders (
  name TEXT NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('dev', 'canary', 'prod')),
  version TEXT NOT NULL,
  move_id INTEGER NOT NULL,
  PRIMARY KEY (name, stage)
) STRICT;

${appendOnly('stage_moves')}
CREATE TRIGGER stage_moves_no_replace BEFORE INSERT ON stage_moves WHEN NEW.id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'stage_moves is append-only') WHERE EXISTS (SELECT 1 FROM stage_moves WHERE id = NEW.id); END;

CREATE TRIGGER stage_moves_follow_rules BEFORE INSERT ON stage_moves
BEGIN
  SELECT RAISE(ABORT, 'a stage move starts from the current holder of the stage')
  WHERE NEW.from_version IS NOT (SELECT version FROM stage_holders WHERE name = NEW.name AND stage = NEW.stage);
  SELECT RAISE(ABORT, 'a stage moves to another version')
  WHERE NEW.from_version IS NEW.to_version;
  SELECT RAISE(ABORT, 'only an active version that reached the stage can hold it')
  WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.name = NEW.name AND v.version = NEW.to_version AND v.status = 'active'
    AND ${RANK('v.stage')} >= ${RANK('NEW.stage')});
  SELECT RAISE(ABORT, 'a promotion to a stage follows an audited promote transition')
  WHERE NEW.action = 'promote' AND NOT EXISTS (SELECT 1 FROM transitions t WHERE t.name = NEW.name AND t.version = NEW.to_version
    AND t.action = 'promote' AND t.to_stage = NEW.stage);
  SELECT RAISE(ABORT, 'a rollback gives the stage back to a version that held it before')
  WHERE NEW.action = 'rollback' AND NOT EXISTS (SELECT 1 FROM stage_moves m WHERE m.name = NEW.name AND m.stage = NEW.stage AND m.to_version = NEW.to_version);
  SELECT RAISE(ABORT, 'only the owner team may move a stage')
  WHERE EXISTS (SELECT 1 FROM objects o WHERE o.name = NEW.name AND o.owner <> NEW.team);
END;

-- Applying a move is the only way a holder changes.
CREATE TRIGGER stage_moves_apply AFTER INSERT ON stage_moves
BEGIN
  UPDATE stage_holders SET version = NEW.to_version, move_id = NEW.id WHERE name = NEW.name AND stage = NEW.stage;
  INSERT INTO stage_holders (name, stage, version, move_id)
  SELECT NEW.name, NEW.stage, NEW.to_version, NEW.id WHERE NOT EXISTS (SELECT 1 FROM stage_holders WHERE name = NEW.name AND stage = NEW.stage);
END;

CREATE TRIGGER stage_holders_insert BEFORE INSERT ON stage_holders
BEGIN
  SELECT RAISE(ABORT, 'one holder per agent and stage: move the stage with agentctl promote or rollback')
  WHERE EXISTS (SELECT 1 FROM stage_holders WHERE name = NEW.name AND stage = NEW.stage);
  SELECT RAISE(ABORT, 'a stage holder changes only through a stage move')
  WHERE NOT EXISTS (SELECT 1 FROM stage_moves m WHERE m.id = NEW.move_id AND m.name = NEW.name AND m.stage = NEW.stage AND m.to_version = NEW.version
    AND m.id = (SELECT max(id) FROM stage_moves WHERE name = NEW.name AND stage = NEW.stage));
END;
CREATE TRIGGER stage_holders_update BEFORE UPDATE ON stage_holders
BEGIN
  SELECT RAISE(ABORT, 'a stage holder changes only through a stage move')
  WHERE NEW.name IS NOT OLD.name OR NEW.stage IS NOT OLD.stage OR NOT EXISTS (SELECT 1 FROM stage_moves m WHERE m.id = NEW.move_id
    AND m.name = NEW.name AND m.stage = NEW.stage AND m.to_version = NEW.version
    AND m.id = (SELECT max(id) FROM stage_moves WHERE name = NEW.name AND stage = NEW.stage));
END;
CREATE TRIGGER stage_holders_no_delete BEFORE DELETE ON stage_holders
BEGIN SELECT RAISE(ABORT, 'a stage is never left without a record: roll it back or promote another version'); END;

INSERT INTO stage_moves (name, stage, from_version, to_version, action, actor, team, at, reason)
SELECT t.name, t.to_stage, NULL, t.version, 'promote', t.actor, t.team, t.at, 'held this stage before stages were tracked (backfilled)'
FROM transitions t JOIN versions v ON v.name = t.name AND v.version = t.version
WHERE t.action = 'promote' AND v.status = 'active' AND t.id = (
  SELECT max(t2.id) FROM transitions t2 JOIN versions v2 ON v2.name = t2.name AND v2.version = t2.version
  WHERE t2.name = t.name AND t2.to_stage = t.to_stage AND t2.action = 'promote' AND v2.status = 'active')
ORDER BY t.id;
`,
};

/**
 * Keys are identities: with a trust file, transitions, stage moves and approvals are signed statements
 * about the version digest, recorded with the signing key's id and the DSSE envelope.
 */
const signatures: Migration = {
  version: 6,
  name: 'signatures',
  sql: `
ALTER TABLE transitions ADD COLUMN signer TEXT;
ALTER TABLE transitions ADD COLUMN signature TEXT CHECK (signature IS NULL OR json_valid(signature));
ALTER TABLE stage_moves ADD COLUMN signer TEXT;
ALTER TABLE stage_moves ADD COLUMN signature TEXT CHECK (signature IS NULL OR json_valid(signature));
ALTER TABLE approvals ADD COLUMN signer TEXT;
ALTER TABLE approvals ADD COLUMN envelope TEXT CHECK (envelope IS NULL OR json_valid(envelope));
`,
};

/**
 * Evidence that travelled with a pulled version: each signed attestation that verified at pull time, kept
 * with where it came from (remote, manifest digest) and who signed it, and the envelope itself so it can
 * be checked again. Insert-only and bound, like local evidence, to a registered version and its digest:
 * the signed predicate must name that digest. The same attestation pulled twice is recorded once.
 */
const importedEvidence: Migration = {
  version: 7,
  name: 'imported-evidence',
  sql: `
CREATE TABLE imported_evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  remote TEXT NOT NULL CHECK (length(remote) > 0),
  manifest_digest TEXT NOT NULL CHECK (manifest_digest GLOB 'sha256:*'),
  attestation_digest TEXT NOT NULL CHECK (attestation_digest GLOB 'sha256:*'),
  signer_key_id TEXT NOT NULL CHECK (length(signer_key_id) > 0),
  signer_name TEXT NOT NULL,
  remote_stage TEXT CHECK (remote_stage IS NULL OR remote_stage IN ('dev', 'canary', 'prod')),
  predicate TEXT NOT NULL CHECK (json_valid(predicate)),
  envelope TEXT NOT NULL CHECK (json_valid(envelope)),
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL CHECK (length(imported_by) > 0),
  UNIQUE (name, version, attestation_digest)
) STRICT;
CREATE INDEX imported_evidence_by_version ON imported_evidence (name, version, digest, id);
CREATE TRIGGER imported_evidence_insert BEFORE INSERT ON imported_evidence
BEGIN
  SELECT RAISE(IGNORE) WHERE EXISTS (SELECT 1 FROM imported_evidence
    WHERE name = NEW.name AND version = NEW.version AND attestation_digest = NEW.attestation_digest);
  SELECT RAISE(ABORT, 'imported evidence names a registered version and its digest')
  WHERE NOT EXISTS (SELECT 1 FROM versions WHERE name = NEW.name AND version = NEW.version AND digest = NEW.digest);
  SELECT RAISE(ABORT, 'imported evidence is bound to the digest it was signed for')
  WHERE json_extract(NEW.predicate, '$.digest') IS NOT NEW.digest OR json_extract(NEW.predicate, '$.name') IS NOT NEW.name
     OR json_extract(NEW.predicate, '$.version') IS NOT NEW.version;
END;
${appendOnly('imported_evidence')}
`,
};

const ISO_INSTANT = (column: string) => `(strftime('%Y-%m-%dT%H:%M:%fZ', ${column}) IS ${column})`;

/**
 * The database guards itself (issue 11): the lifecycle is immutable data; the team of a registration is
 * the owner the object and its version end up with; a finished run takes no more spans; evidence can only
 * be written the way agentctl writes it — an eval starts running, its results name finished runs of the
 * same agent and digest, and it finishes complete only with counts that are its results'; approvals name
 * an instant and cannot be replaced.
 */
const guard: Migration = {
  version: 8,
  name: 'db-guard',
  sql: `
CREATE TRIGGER lifecycle_no_insert BEFORE INSERT ON lifecycle
BEGIN SELECT RAISE(ABORT, 'the lifecycle is fixed: its edges never change'); END;
CREATE TRIGGER lifecycle_no_update BEFORE UPDATE ON lifecycle
BEGIN SELECT RAISE(ABORT, 'the lifecycle is fixed: its edges never change'); END;
CREATE TRIGGER lifecycle_no_delete BEFORE DELETE ON lifecycle
BEGIN SELECT RAISE(ABORT, 'the lifecycle is fixed: its edges never change'); END;

-- agentctl writes the object, then its register transition, then the version (one transaction). The
-- object must come first, so the owner check of transitions_follow_lifecycle always has an owner to compare
-- (and versions_insert_checks ties the version's owner to the object's). An object row alone, with no
-- register row of its owner behind it, cannot be refused at insert time: \`doctor\` reports it.
-- (A colliding id is left to transitions_no_replace, which says why.)
CREATE TRIGGER transitions_register_needs_object BEFORE INSERT ON transitions
WHEN NEW.action = 'register' AND (NEW.id IS NULL OR NOT EXISTS (SELECT 1 FROM transitions WHERE id = NEW.id))
BEGIN
  SELECT RAISE(ABORT, 'a registration names an existing object: the object row comes first, with its owner team')
  WHERE NOT EXISTS (SELECT 1 FROM objects WHERE name = NEW.name);
END;

CREATE TRIGGER spans_while_running BEFORE INSERT ON spans
BEGIN
  SELECT RAISE(ABORT, 'the run is finished: no more spans')
  WHERE (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running'
    AND NOT EXISTS (SELECT 1 FROM spans WHERE span_id = NEW.span_id);
END;

CREATE TRIGGER evals_insert_running BEFORE INSERT ON evals
BEGIN
  SELECT RAISE(ABORT, 'an eval starts as running, with no results') WHERE NEW.status <> 'running' OR NEW.finished_at IS NOT NULL;
  SELECT RAISE(ABORT, 'eval evidence is append-only') WHERE EXISTS (SELECT 1 FROM evals WHERE eval_id = NEW.eval_id);
END;
CREATE TRIGGER evals_complete_as_counted BEFORE UPDATE ON evals WHEN NEW.status = 'complete'
BEGIN
  SELECT RAISE(ABORT, 'a complete eval counts exactly its results')
  WHERE NEW.executions IS NOT (SELECT count(*) FROM eval_results WHERE eval_id = NEW.eval_id)
     OR NEW.passed IS NOT (SELECT count(*) FROM eval_results WHERE eval_id = NEW.eval_id AND status = 'pass')
     OR NEW.failed IS NOT (SELECT count(*) FROM eval_results WHERE eval_id = NEW.eval_id AND status = 'fail')
     OR NEW.errors IS NOT (SELECT count(*) FROM eval_results WHERE eval_id = NEW.eval_id AND status = 'error')
     OR NEW.pass_rate IS NULL
     OR abs(NEW.pass_rate - (CASE WHEN NEW.executions > 0 THEN CAST(NEW.passed AS REAL) / NEW.executions ELSE 0 END)) > 1e-9;
END;

CREATE TRIGGER eval_results_bound_to_runs BEFORE INSERT ON eval_results
BEGIN
  SELECT RAISE(ABORT, 'an eval result names the finished run it measured, of the agent and digest evaluated')
  WHERE NOT EXISTS (SELECT 1 FROM runs r JOIN evals e ON e.eval_id = NEW.eval_id
    WHERE r.run_id = NEW.run_id AND r.agent = e.agent AND r.digest = e.digest AND r.status <> 'running');
  SELECT RAISE(ABORT, 'a run is the evidence of one eval result only')
  WHERE EXISTS (SELECT 1 FROM eval_results WHERE run_id = NEW.run_id);
END;
CREATE INDEX eval_results_by_run ON eval_results (run_id);

CREATE TRIGGER approvals_as_written BEFORE INSERT ON approvals
BEGIN
  SELECT RAISE(ABORT, 'approvals is append-only') WHERE NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM approvals WHERE id = NEW.id);
  SELECT RAISE(ABORT, 'an approval is dated by an ISO 8601 instant (YYYY-MM-DDTHH:MM:SS.sssZ)') WHERE NOT ${ISO_INSTANT('NEW.at')};
END;
`,
};

/**
 * Where a registered version came from, when it was pulled (issue 11, consent for foreign code): the
 * remote and manifest, the version the pull asked for (itself, or the version that depends on it), and
 * the keys whose signatures about that artifact verified then. `eval` and `run --live` read it before
 * running code that came with the version. One row per pull; insert-only.
 */
const pulledVersions: Migration = {
  version: 9,
  name: 'pulled-versions',
  sql: `
CREATE TABLE pulled_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  remote TEXT NOT NULL CHECK (length(remote) > 0),
  location TEXT NOT NULL,
  manifest_digest TEXT NOT NULL CHECK (manifest_digest GLOB 'sha256:*'),
  via TEXT NOT NULL CHECK (length(via) > 0),
  signers TEXT NOT NULL CHECK (json_valid(signers) AND json_type(signers) = 'array'),
  pulled_at TEXT NOT NULL,
  pulled_by TEXT NOT NULL CHECK (length(pulled_by) > 0)
) STRICT;
CREATE INDEX pulled_versions_by_version ON pulled_versions (name, version, digest, id);
${appendOnly('pulled_versions')}
`,
};

/**
 * Cheaper guards on the bulk inserts of an eval (issue 12), with the same guarantees and messages. An
 * event took three lookups (exists (run, seq), max(seq), the run's status): seqs are contiguous from 1,
 * so max(seq) alone tells an append (seq = max + 1) from a gap; the exists lookup is only made for a seq
 * at or below max, where it tells a re-sent event (ignored) from a bad seq. An eval result took five in
 * two triggers, the eval's row twice: one trigger now reads it once. Checks keep their order (CASE; the
 * newer of two triggers fired first).
 */
const cheapAppends: Migration = {
  version: 10,
  name: 'cheap-appends',
  sql: `
DROP TRIGGER events_append_only;
CREATE TRIGGER events_append_in_order BEFORE INSERT ON events
BEGIN
  SELECT CASE
    WHEN NEW.seq <= last AND EXISTS (SELECT 1 FROM events WHERE run_id = NEW.run_id AND seq = NEW.seq) THEN RAISE(IGNORE)
    WHEN NEW.seq <> last + 1 THEN RAISE(ABORT, 'events are appended in order: seq must follow the last one')
    WHEN (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running' THEN RAISE(ABORT, 'the run is finished: no more events')
  END
  FROM (SELECT COALESCE(max(seq), 0) AS last FROM events WHERE run_id = NEW.run_id);
END;

DROP TRIGGER eval_results_while_running;
DROP TRIGGER eval_results_bound_to_runs;
CREATE TRIGGER eval_results_insert_checks BEFORE INSERT ON eval_results
BEGIN
  SELECT CASE
    WHEN NOT COALESCE(r.agent = e.agent AND r.digest = e.digest AND r.status <> 'running', 0)
      THEN RAISE(ABORT, 'an eval result names the finished run it measured, of the agent and digest evaluated')
    WHEN EXISTS (SELECT 1 FROM eval_results WHERE run_id = NEW.run_id) THEN RAISE(ABORT, 'a run is the evidence of one eval result only')
    WHEN EXISTS (SELECT 1 FROM eval_results WHERE eval_id = NEW.eval_id AND sample_id = NEW.sample_id AND iteration = NEW.iteration)
      THEN RAISE(ABORT, 'eval_results is append-only')
    WHEN e.status IS NOT 'running' THEN RAISE(ABORT, 'results are added only while the eval runs')
  END
  FROM (SELECT 1) LEFT JOIN evals e ON e.eval_id = NEW.eval_id LEFT JOIN runs r ON r.run_id = NEW.run_id;
END;
`,
};

/**
 * Feedback on runs (issue 13): who rated which run good or bad, when, and why. Several ratings of one run
 * are kept (a user may change their mind); rates count the latest per user. Insert-only, and bound to a
 * finished run, so a rating always names something that happened.
 */
const feedback: Migration = {
  version: 11,
  name: 'feedback',
  sql: `
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
  note TEXT,
  actor TEXT NOT NULL CHECK (length(actor) > 0),
  team TEXT NOT NULL CHECK (length(team) > 0),
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX feedback_by_run ON feedback (run_id, actor, id);
CREATE TRIGGER feedback_on_finished_runs BEFORE INSERT ON feedback
BEGIN
  SELECT RAISE(ABORT, 'feedback names a finished run')
  WHERE COALESCE((SELECT status FROM runs WHERE run_id = NEW.run_id), 'running') = 'running';
END;
${appendOnly('feedback')}
`,
};

/**
 * Spans kept in run order (issue 12): keyed by (run, span) in a WITHOUT ROWID table, an eval's spans go to
 * the end of the table like its runs and events. Keyed by the random span id alone, each insert landed on
 * a random page of the key's index: at 100,000 samples each commit rewrote most of that index into the
 * WAL, and an eval took 30% longer than with the same rows appended. A span id is unique within its run
 * (its trace); the guards are those of migrations 2 and 8 in one trigger, with the same messages.
 */
const spansByRun: Migration = {
  version: 12,
  name: 'spans-by-run',
  sql: `
DROP TRIGGER spans_no_replace;
DROP TRIGGER spans_while_running;
DROP TRIGGER spans_no_update;
DROP TRIGGER spans_no_delete;
DROP INDEX spans_by_run;
ALTER TABLE spans RENAME TO spans_before_12;
CREATE TABLE spans (
  span_id TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  parent_span_id TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('agent', 'model', 'tool', 'sub-agent', 'policy', 'context')),
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  PRIMARY KEY (run_id, span_id)
) STRICT, WITHOUT ROWID;
INSERT INTO spans SELECT span_id, run_id, parent_span_id, kind, name, status, started_at, ended_at, attributes FROM spans_before_12;
DROP TABLE spans_before_12;
CREATE TRIGGER spans_insert_checks BEFORE INSERT ON spans
BEGIN
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM spans WHERE run_id = NEW.run_id AND span_id = NEW.span_id) THEN RAISE(IGNORE)
    WHEN (SELECT status FROM runs WHERE run_id = NEW.run_id) IS NOT 'running' THEN RAISE(ABORT, 'the run is finished: no more spans')
  END;
END;
${appendOnly('spans')}
`,
};

export const MIGRATIONS: readonly Migration[] = [
  registry,
  eventLog,
  evidence,
  honestRuns,
  stages,
  signatures,
  importedEvidence,
  guard,
  pulledVersions,
  cheapAppends,
  feedback,
  spansByRun,
];
