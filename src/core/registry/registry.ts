/** The local registry: immutable versions, their lifecycle, and the audit trail, in SQLite. */

import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { CheckFailedError, ImmutableVersionError, NotFoundError, PermissionError, UsageError } from '../errors.js';
import { EvalStore } from '../eval/store.js';
import { isAlive } from '../events/event-log.js';
import { RunStore } from '../events/run-store.js';
import { didYouMean } from '../spec/diagnostics.js';
import type { KnownVersion } from '../spec/references.js';
import { compareVersions, isExactVersion, nextPatch, parseVersionRef, versionParts } from '../spec/refs.js';
import type { SpecKind } from '../spec/schema.js';
import { statementAbout, TRANSITION_PREDICATE } from '../trust/statements.js';
import { BlobStore } from './blobs.js';
import type { BuiltBundle, Bundle } from './bundle.js';
import { type Db, openDatabase, translateSqliteError, writeTransaction } from './db.js';
import { plan, type Request, STAGES, type Stage, type State, type Status, type TransitionAction } from './lifecycle.js';
import { OriginStore } from './origins.js';
import { isStage, type StageMove, StageStore, stageRank } from './stages.js';
import { listVersions, usageCounts } from './versions.js';

type Statement = Database.Statement<unknown[]>;

export interface Actor {
  user: string;
  team: string;
  /** With a trust file: signs what this actor records (a transition, a stage move), with the key that is their identity. */
  sign?: Signer;
}

/** Signs an in-toto statement; returns the key id and the DSSE envelope (JSON). */
export type Signer = (statement: Record<string, unknown>) => { keyId: string; envelope: string };

export interface VersionRow {
  kind: SpecKind;
  name: string;
  version: string;
  owner: string;
  /** How far along the lifecycle it got (dev → canary → prod); what it routes now is `holds`. */
  stage: Stage;
  status: Status;
  digest: string;
  createdAt: string;
  createdBy: string;
  /** The stages this version holds now: `name@prod` means the version whose holds include prod. */
  holds: Stage[];
  /** A rollback moved a stage away from it (never chosen as an eval baseline). */
  rolledBack: boolean;
  /** How the ref was resolved, when it named a stage (`triage@prod`). */
  resolvedFrom?: Stage;
}

export interface TransitionRow {
  id: number;
  name: string;
  version: string;
  action: TransitionAction;
  from: State | null;
  to: State | null;
  actor: string;
  team: string;
  at: string;
  reason: string | null;
  /** The key that signed the move (null: unsigned, single-developer mode). */
  signer: string | null;
}

export interface Dependency {
  ref: string;
  name: string;
  version: string;
  digest: string;
}

export interface PreparedVersion {
  built: BuiltBundle;
  dependencies: Dependency[];
  /** A version pulled from a remote keeps its original registration, so its artifact is the same everywhere. */
  origin?: { createdAt: string; createdBy: string };
}

export interface RegisterOutcome {
  ref: string;
  kind: SpecKind;
  digest: string;
  outcome: 'registered' | 'unchanged';
}

export interface ListFilter {
  kind?: SpecKind | undefined;
  name?: string | undefined;
  stage?: Stage | undefined;
  status?: Status | undefined;
  /** Only the version that holds this stage now. */
  holds?: Stage | undefined;
}

const VERSION_COLUMNS = `kind, name, version, owner, stage, status, digest, created_at AS createdAt, created_by AS createdBy`;

export class Registry {
  readonly blobs: BlobStore;

  private constructor(
    readonly db: Db,
    readonly path: string,
    blobsDir: string,
  ) {
    this.blobs = new BlobStore(blobsDir);
  }

  static open(paths: { registryPath: string; blobsDir: string }, options: { readonly?: boolean } = {}): Registry {
    return new Registry(openDatabase(paths.registryPath, options), paths.registryPath, paths.blobsDir);
  }

  close(): void {
    try {
      this.runStore?.closeLogs();
    } finally {
      this.db.close();
    }
  }

  private evalStore: EvalStore | undefined;
  private stageStore: StageStore | undefined;

  /** Stage holders and their moves (the only code that touches those tables). */
  get stages(): StageStore {
    this.stageStore ??= new StageStore(this.db);
    return this.stageStore;
  }
  private runStore: RunStore | undefined;

  /** Evals, their results and approvals (the only code that touches those tables). */
  get evals(): EvalStore {
    this.evalStore ??= new EvalStore(this.db);
    return this.evalStore;
  }

  private originStore: OriginStore | undefined;

  /** Where pulled versions came from and who had signed them (the only code that touches pulled_versions). */
  get origins(): OriginStore {
    this.originStore ??= new OriginStore(this.db);
    return this.originStore;
  }

  /** Sessions, runs, spans and events (the only code that touches those tables). */
  get runs(): RunStore {
    this.runStore ??= new RunStore(this.db, this.path, this.blobs);
    return this.runStore;
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction (read-then-write across stores), SQLite errors translated. */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, this.path, fn);
  }

  /** The database's own view of itself, for `doctor`. */
  health(): { integrity: string; schema: number; versions: number } {
    return this.read(() => ({
      integrity: String(this.db.pragma('integrity_check', { simple: true })),
      schema: Number(this.db.pragma('user_version', { simple: true })),
      versions: Number(this.prepared('SELECT count(*) FROM versions').pluck().get()),
    }));
  }

  /** Runs and evals left `running` by a dead process on this host are marked interrupted (one transaction). */
  recoverInterrupted(): { runs: string[]; evals: string[] } {
    return writeTransaction(this.db, this.path, () => ({
      runs: this.runs.recoverInterrupted(hostname()),
      evals: this.evals.recoverInterrupted(isAlive),
    }));
  }

  /**
   * The default eval baseline: the version that holds prod now (else canary), unless it is the version
   * evaluated. A rolled-back version never is one: it holds no stage.
   */
  defaultBaseline(name: string, exceptDigest: string): string | undefined {
    for (const stage of ['prod', 'canary'] as const) {
      const holder = this.read(() => this.stages.holder(name, stage));
      if (holder === undefined) continue;
      const row = this.resolve(`${name}@${holder}`);
      if (row.digest !== exceptDigest && !this.stages.rolledBackFrom(name, holder, stage)) return `${name}@${holder}`;
    }
    return undefined;
  }

  list(filter: ListFilter = {}): VersionRow[] {
    return this.read(() => listVersions((sql) => this.prepared(sql), this.stages, filter));
  }

  versionsOf(name: string): KnownVersion[] {
    return this.read(
      () =>
        this.prepared(`SELECT kind, version FROM versions WHERE name = ? AND status <> 'disabled'`).all(name) as {
          kind: SpecKind;
          version: string;
        }[],
    ).map((v) => ({ ...v, source: 'registry' }));
  }

  /**
   * `name@version`; `name@dev|canary|prod` for the version that holds that stage now; `name` for its
   * highest version. NotFoundError with a suggestion otherwise.
   */
  resolve(ref: string): VersionRow {
    const { name, version } = parseVersionRef(ref);
    if (version !== undefined && !isExactVersion(version) && !isStage(version)) {
      if (/^[a-z][a-z-]*$/i.test(version)) {
        throw new UsageError(`"${version}" is not a stage in ${ref}: the stages are ${STAGES.join(', ')}`, {
          fix: `${name}@prod (the version that holds prod now), ${name}@canary, ${name}@dev, or a version such as ${name}@1.2.3`,
        });
      }
      throw new UsageError(`"${version}" is not a version in ${ref}`, { fix: `write ${name}@1.2.3 or ${name}@prod, or just the name for its latest version` });
    }
    const rows = this.read(() =>
      (this.prepared(`SELECT ${VERSION_COLUMNS} FROM versions WHERE name = ?`).all(name) as Omit<VersionRow, 'holds' | 'rolledBack'>[]).map((r) => r),
    ).map((r) => this.withStages(r));
    if (rows.length === 0) {
      const names = this.read(() => this.prepared('SELECT name FROM objects').pluck().all() as string[]);
      const suggestion = didYouMean(name, names);
      throw new NotFoundError(`nothing named "${name}" is registered${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, {
        where: this.path,
        fix: suggestion ? `agentctl show ${suggestion}` : `register it first: agentctl register <path to ${name}'s spec>`,
        code: 'not-found',
      });
    }
    if (version === undefined) return rows.sort((a, b) => compareVersions(b.version, a.version))[0] as VersionRow;
    if (isStage(version)) {
      const holder = rows.find((r) => r.holds.includes(version));
      if (!holder) {
        const candidates = rows.filter((r) => r.status === 'active').map((r) => r.version);
        throw new NotFoundError(`nothing holds ${version} for ${name} yet`, {
          where: this.path,
          fix: candidates.length
            ? `promote a version: agentctl promote ${name}@${candidates.sort(compareVersions).at(-1)} --to ${version}`
            : `promote a version first: agentctl promote ${name}@${rows
                .map((r) => r.version)
                .sort(compareVersions)
                .at(-1)} --to dev, then onwards to ${version}`,
          code: 'no-stage-holder',
        });
      }
      return { ...holder, resolvedFrom: version };
    }
    const row = rows.find((r) => r.version === version);
    if (!row) {
      throw new NotFoundError(`${name}@${version} is not registered; registered versions: ${rows.map((r) => r.version).join(', ')}`, {
        where: this.path,
        fix: `agentctl list --name ${name}`,
        code: 'not-found',
      });
    }
    return row;
  }

  private withStages(row: Omit<VersionRow, 'holds' | 'rolledBack'>): VersionRow {
    const holds = this.stages.heldBy(row.name).get(`${row.name}@${row.version}`) ?? [];
    return { ...row, holds, rolledBack: this.stages.rolledBack(row.name).has(`${row.name}@${row.version}`) };
  }

  /** Registered versions whose locked dependencies include `name@version` (reverse dependencies). */
  usedBy(name: string, version: string): { name: string; version: string; ref: string }[] {
    return this.read(
      () =>
        this.prepared('SELECT name, version, ref FROM version_dependencies WHERE dep_name = ? AND dep_version = ? ORDER BY name, version').all(
          name,
          version,
        ) as { name: string; version: string; ref: string }[],
    );
  }

  /** How many registered versions use each `name@version` (one query, for `list`). */
  usageCounts(): Map<string, number> {
    return this.read(() => usageCounts((sql) => this.prepared(sql)));
  }

  bundleOf(name: string, version: string): Bundle {
    const json = this.read(() => this.prepared('SELECT bundle FROM versions WHERE name = ? AND version = ?').pluck().get(name, version) as string | undefined);
    if (json === undefined) throw new NotFoundError(`${name}@${version} is not registered`, { code: 'not-found' });
    return JSON.parse(json) as Bundle;
  }

  dependenciesOf(name: string, version: string): Dependency[] {
    return this.read(
      () =>
        this.prepared(
          'SELECT ref, dep_name AS name, dep_version AS version, dep_digest AS digest FROM version_dependencies WHERE name = ? AND version = ? ORDER BY ref',
        ).all(name, version) as Dependency[],
    );
  }

  /**
   * Registers versions in one transaction (dependencies first, in the order given): a version already
   * registered with the same digest is a no-op; with another digest the whole call fails and nothing is written.
   */
  register(items: readonly PreparedVersion[], actor: Actor): RegisterOutcome[] {
    for (const item of items) {
      for (const [, bytes] of item.built.contents) this.blobs.put(bytes);
    }
    const now = new Date().toISOString();
    return writeTransaction(this.db, this.path, () =>
      items.map(({ built, dependencies, origin }) => {
        const { bundle, digest } = built;
        const ref = `${bundle.name}@${bundle.version}`;
        const object = this.prepared('SELECT kind, owner FROM objects WHERE name = ?').get(bundle.name) as { kind: SpecKind; owner: string } | undefined;
        if (object && object.kind !== bundle.kind) {
          throw new UsageError(`"${bundle.name}" is registered as a ${object.kind}, not a ${bundle.kind}`, { where: ref, fix: 'give this spec another name' });
        }
        this.assertOwner(bundle.name, object?.owner ?? bundle.owner, actor);
        if (object && object.owner !== bundle.owner) {
          throw new PermissionError(`${bundle.name} is owned by ${object.owner}; the spec says owner: ${bundle.owner}`, {
            where: ref,
            fix: `set metadata.owner: ${object.owner}`,
            code: 'owner-mismatch',
          });
        }
        // Semver ignores build metadata when it orders versions: 1.0.0+a and 1.0.0+b are one version, registered once.
        const twin = sameVersionOtherBuild((sql) => this.prepared(sql), bundle.name, bundle.version);
        if (twin !== undefined) {
          throw new CheckFailedError(
            `${ref} is the same version as the registered ${bundle.name}@${twin}: build metadata (after "+") does not make a new version`,
            {
              where: ref,
              fix: `bump the version, e.g. metadata.version: ${this.nextFreeVersion(bundle.name, bundle.version)}`,
              code: 'build-metadata-twin',
            },
          );
        }
        const existing = this.prepared('SELECT digest FROM versions WHERE name = ? AND version = ?').pluck().get(bundle.name, bundle.version) as
          | string
          | undefined;
        if (existing === digest) return { ref, kind: bundle.kind, digest, outcome: 'unchanged' as const };
        if (existing !== undefined) throw new ImmutableVersionError(ref, existing, digest, this.nextFreeVersion(bundle.name, bundle.version));
        const retired = this.prepared('SELECT 1 FROM retired_versions WHERE name = ? AND version = ?').get(bundle.name, bundle.version);
        if (retired) {
          throw new CheckFailedError(`${ref} was deleted; a deleted version number is retired and never reused`, {
            where: ref,
            fix: `bump the version, e.g. metadata.version: ${this.nextFreeVersion(bundle.name, bundle.version)}`,
            code: 'retired-version',
          });
        }
        if (!object) {
          this.prepared('INSERT INTO objects (name, kind, owner, created_at, created_by) VALUES (?, ?, ?, ?, ?)').run(
            bundle.name,
            bundle.kind,
            bundle.owner,
            now,
            actor.user,
          );
        }
        const transition = this.insertTransition(bundle.name, bundle.version, digest, 'register', null, { status: 'draft', stage: 'dev' }, actor, now, null);
        const parts = versionParts(bundle.version);
        this.prepared(
          `INSERT INTO versions (name, version, kind, owner, digest, stage, status, major, minor, patch, prerelease, bundle, created_at, created_by, last_transition)
             VALUES (?, ?, ?, ?, ?, 'dev', 'draft', ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          bundle.name,
          bundle.version,
          bundle.kind,
          bundle.owner,
          digest,
          parts.major,
          parts.minor,
          parts.patch,
          parts.prerelease,
          built.json,
          origin?.createdAt ?? now,
          origin?.createdBy ?? actor.user,
          transition,
        );
        const insertDep = this.prepared('INSERT INTO version_dependencies (name, version, ref, dep_name, dep_version, dep_digest) VALUES (?, ?, ?, ?, ?, ?)');
        for (const dep of dependencies) insertDep.run(bundle.name, bundle.version, dep.ref, dep.name, dep.version, dep.digest);
        return { ref, kind: bundle.kind, digest, outcome: 'registered' as const };
      }),
    );
  }

  /**
   * Moves a version along the lifecycle, checked and audited in one transaction. `guard` sees the
   * version and its next state inside that transaction (the gates) and throws to refuse the move.
   */
  transition(
    ref: string,
    request: Request,
    actor: Actor,
    reason: string | null,
    guard?: (row: VersionRow, next: State | null) => void,
    /**
     * For a promotion: the holder of the target stage the user saw when the command started (undefined:
     * do not check). If another promotion moved the stage meanwhile, this one is refused, not silently stacked.
     */
    expectHolder?: string | null,
  ): { row: VersionRow | null; transition: TransitionRow; move?: StageMove } {
    return writeTransaction(this.db, this.path, () => {
      const row = this.resolve(ref);
      const exact = `${row.name}@${row.version}`;
      this.assertOwner(row.name, row.owner, actor);
      const next = plan(exact, row, request);
      if (request.action === 'promote' && next && expectHolder !== undefined) {
        const now = this.stages.holder(row.name, next.stage) ?? null;
        if (now !== expectHolder) {
          throw new CheckFailedError(
            `${row.name}@${next.stage} moved to ${now ?? 'nothing'} while this promotion ran (it was ${expectHolder ?? 'nothing'}): another promotion won`,
            {
              where: exact,
              fix: `look at agentctl history ${row.name}, then run the promotion again if ${exact} should still take ${next.stage}`,
              code: 'stage-moved',
            },
          );
        }
      }
      guard?.(row, next);
      const id = this.insertTransition(
        row.name,
        row.version,
        row.digest,
        request.action,
        { status: row.status, stage: row.stage },
        next,
        actor,
        new Date().toISOString(),
        reason,
      );
      const transition = this.transitionById(id);
      // A promotion routes the stage: it moves from its previous holder (both sides in the audit).
      let move: StageMove | undefined;
      if (request.action === 'promote' && next) {
        move = this.stages.move({
          name: row.name,
          stage: next.stage,
          fromVersion: this.stages.holder(row.name, next.stage) ?? null,
          toVersion: row.version,
          action: 'promote',
          actor: actor.user,
          team: actor.team,
          at: transition.at,
          reason,
          signer: actor.sign,
          digest: row.digest,
        });
      }
      return { row: next === null ? null : this.resolve(exact), transition, ...(move ? { move } : {}) };
    });
  }

  /**
   * Moves `stage` of `name` back: to `to` (which must have held it before and still be active), or to
   * the previous holder. The version it leaves is marked rolled back. One audited transaction.
   */
  rollback(
    name: string,
    stage: Stage,
    options: { to?: string | undefined; reason: string; actor: Actor },
  ): { from: VersionRow; to: VersionRow; move: StageMove } {
    return writeTransaction(this.db, this.path, () => {
      const current = this.stages.holder(name, stage);
      const owner = this.resolve(name).owner;
      this.assertOwner(name, owner, options.actor);
      if (!current) {
        throw new CheckFailedError(`nothing holds ${stage} for ${name}: there is nothing to roll back`, {
          where: `${name}@${stage}`,
          fix: `agentctl history ${name}`,
          code: 'no-stage-holder',
        });
      }
      const active = (v: string) => this.resolve(`${name}@${v}`).status === 'active';
      let target = options.to;
      if (target !== undefined) {
        const row = this.resolve(`${name}@${target}`);
        if (row.version === current)
          throw new CheckFailedError(`${name}@${target} already holds ${stage}`, { fix: `agentctl list --name ${name}`, code: 'no-op' });
        if (!this.stages.heldBefore(name, stage, row.version)) {
          throw new CheckFailedError(`${name}@${row.version} never held ${stage}: a rollback returns ${stage} to a version that held it before`, {
            where: `${name}@${row.version}`,
            fix: `agentctl history ${name} (the versions that held ${stage}), or promote ${name}@${row.version} through the gates`,
            code: 'never-held',
          });
        }
        if (row.status !== 'active') {
          throw new CheckFailedError(`${name}@${row.version} is ${row.status}: only an active version can hold ${stage} again`, {
            where: `${name}@${row.version}`,
            fix: `choose another version: agentctl history ${name}`,
            code: 'not-active',
          });
        }
        target = row.version;
      } else {
        target = this.stages.previousHolder(name, stage, active);
        if (!target) {
          throw new CheckFailedError(`no earlier holder of ${stage} for ${name} to roll back to (active, and not rolled back itself)`, {
            where: `${name}@${stage}`,
            fix: `name one: agentctl rollback ${name} --stage ${stage} --to <version>, or promote a version to ${stage}`,
            code: 'no-previous-holder',
          });
        }
      }
      const from = this.resolve(`${name}@${current}`);
      const move = this.stages.move({
        name,
        stage,
        fromVersion: current,
        toVersion: target,
        action: 'rollback',
        actor: options.actor.user,
        team: options.actor.team,
        at: new Date().toISOString(),
        reason: options.reason,
        signer: options.actor.sign,
        digest: this.resolve(`${name}@${target}`).digest,
      });
      return { from: this.resolve(`${name}@${from.version}`), to: this.resolve(`${name}@${target}`), move };
    });
  }

  /** The highest version of `name` in `range` that holds a stage at least `stage` (prod callers get prod dependencies). */
  holderInRange(name: string, range: string, stage: Stage, satisfies: (version: string, range: string) => boolean): VersionRow | undefined {
    const held = this.read(() => this.stages.heldBy(name));
    const candidates = [...held.entries()]
      .filter(([, stages]) => stages.some((s) => stageRank(s) >= stageRank(stage)))
      .map(([key]) => key.slice(name.length + 1))
      .filter((v) => satisfies(v, range))
      .sort(compareVersions);
    const best = candidates.at(-1);
    return best === undefined ? undefined : this.resolve(`${name}@${best}`);
  }

  /** The stage moves of `name` (or those that gave `version` a stage or took one from it), oldest first. */
  stageMoves(name: string, version?: string): StageMove[] {
    return this.read(() => this.stages.moves(name, version));
  }

  history(name: string, version?: string): TransitionRow[] {
    const rows = this.read(
      () =>
        this.prepared(
          `SELECT id, name, version, action, from_status, from_stage, to_status, to_stage, actor, team, at, reason, signer FROM transitions
             WHERE name = ? AND (? IS NULL OR version = ?) ORDER BY id`,
        ).all(name, version ?? null, version ?? null) as RawTransition[],
    );
    return rows.map(toTransitionRow);
  }

  private transitionById(id: number): TransitionRow {
    const raw = this.prepared('SELECT * FROM transitions WHERE id = ?').get(id) as RawTransition;
    return toTransitionRow(raw);
  }

  private insertTransition(
    name: string,
    version: string,
    digest: string,
    action: TransitionAction,
    from: State | null,
    to: State | null,
    actor: Actor,
    at: string,
    reason: string | null,
  ): number {
    // With a trust file, the move is a signed statement about the digest, by the key that is the actor.
    const signed = actor.sign?.(
      statementAbout(name, version, digest, TRANSITION_PREDICATE, { action, from, to, actor: actor.user, team: actor.team, at, reason }),
    );
    const result = this.prepared(
      `INSERT INTO transitions (name, version, action, from_status, from_stage, to_status, to_stage, actor, team, at, reason, signer, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      name,
      version,
      action,
      from?.status ?? null,
      from?.stage ?? null,
      to?.status ?? null,
      to?.stage ?? null,
      actor.user,
      actor.team,
      at,
      reason,
      signed?.keyId ?? null,
      signed?.envelope ?? null,
    );
    return Number(result.lastInsertRowid);
  }

  /** The key that signed the registration of `name@version` (null: registered unsigned, single-developer mode). */
  registeredBy(name: string, version: string): string | null {
    return this.registration(name, version)?.signer ?? null;
  }

  /** The registration record of `name@version`: who (as written), the signing key and its envelope (unverified). */
  registration(name: string, version: string): { actor: string; signer: string | null; signature: string | null } | undefined {
    return this.read(
      () =>
        this.prepared(`SELECT actor, signer, signature FROM transitions WHERE name = ? AND version = ? AND action = 'register'`).get(name, version) as
          | { actor: string; signer: string | null; signature: string | null }
          | undefined,
    );
  }

  /** Whether any record here was signed: such a registry never falls back to single-developer mode. */
  hasSignedRecords(): boolean {
    return this.read(() => this.prepared('SELECT 1 FROM transitions WHERE signer IS NOT NULL LIMIT 1').get() !== undefined);
  }

  private assertOwner(name: string, owner: string, actor: Actor): void {
    if (owner === actor.team) return;
    throw new PermissionError(`${name} is owned by team ${owner}; you act as team ${actor.team}, so you cannot change it`, {
      where: name,
      fix: `ask a member of ${owner}; if you are one, set "team: ${owner}" in .agentctl/config.yaml (or AGENTCTL_TEAM=${owner})`,
      code: 'not-owner',
    });
  }

  private nextFreeVersion(name: string, version: string): string {
    let candidate = nextPatch(version);
    const taken = (v: string) =>
      this.prepared('SELECT 1 FROM versions WHERE name = ? AND version = ? UNION SELECT 1 FROM retired_versions WHERE name = ? AND version = ?').get(
        name,
        v,
        name,
        v,
      ) !== undefined;
    while (taken(candidate)) candidate = nextPatch(candidate);
    return candidate;
  }

  private readonly statements = new Map<string, Statement>();

  /**
   * The statement for `sql`, prepared once per registry (one command): register of 1,000 versions used to
   * prepare 6,000. Each SQL text here is used in one mode (plain, pluck or raw), so sharing is safe.
   */
  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }
}

interface RawTransition {
  id: number;
  name: string;
  version: string;
  action: TransitionAction;
  from_status: Status | null;
  from_stage: Stage | null;
  to_status: Status | null;
  to_stage: Stage | null;
  actor: string;
  team: string;
  at: string;
  reason: string | null;
  signer: string | null;
}

function toTransitionRow(raw: RawTransition): TransitionRow {
  return {
    id: raw.id,
    name: raw.name,
    version: raw.version,
    action: raw.action,
    from: raw.from_status && raw.from_stage ? { status: raw.from_status, stage: raw.from_stage } : null,
    to: raw.to_status && raw.to_stage ? { status: raw.to_status, stage: raw.to_stage } : null,
    actor: raw.actor,
    team: raw.team,
    at: raw.at,
    reason: raw.reason,
    signer: raw.signer ?? null,
  };
}

/** A registered version of `name` equal to `version` but for its build metadata, if any. */
function sameVersionOtherBuild(prepare: (sql: string) => Statement, name: string, version: string): string | undefined {
  const parts = versionParts(version);
  return prepare('SELECT version FROM versions WHERE name = ? AND major = ? AND minor = ? AND patch = ? AND prerelease = ? AND version != ?')
    .pluck()
    .get(name, parts.major, parts.minor, parts.patch, parts.prerelease, version) as string | undefined;
}
