/**
 * The stages store: the only code that reads or writes `stage_holders` and `stage_moves` (migration 5).
 * A stage is a route: `name@prod` is the version that holds prod now, one per name and stage.
 */
import { STAGE_PREDICATE, statementAbout } from '../trust/statements.js';
import type { Db } from './db.js';
import { STAGES, type Stage } from './lifecycle.js';
import { heldStages, rolledBackVersions } from './stages-read.js';

/** Signs an in-toto statement (see registry.ts Actor.sign). */
type Signer = (statement: Record<string, unknown>) => { keyId: string; envelope: string };

export interface StageMove {
  id: number;
  name: string;
  stage: Stage;
  /** The previous holder (null when the stage had none). */
  fromVersion: string | null;
  toVersion: string;
  action: 'promote' | 'rollback';
  actor: string;
  team: string;
  at: string;
  reason: string | null;
}

const MOVE_COLUMNS = `id, name, stage, from_version AS fromVersion, to_version AS toVersion, action, actor, team, at, reason`;

export function stageRank(stage: Stage): number {
  return STAGES.indexOf(stage);
}

export function isStage(text: string | undefined): text is Stage {
  return (STAGES as readonly string[]).includes(text ?? '');
}

export class StageStore {
  constructor(private readonly db: Db) {}

  /** The version that holds `stage` of `name` now. */
  holder(name: string, stage: Stage): string | undefined {
    return this.db.prepare('SELECT version FROM stage_holders WHERE name = ? AND stage = ?').pluck().get(name, stage) as string | undefined;
  }

  /** The stages each version of `name` holds now. */
  heldBy(name: string): Map<string, Stage[]> {
    return heldStages(this.db, name);
  }

  /** Every holder, keyed `name@version` (one query: `list` over 10,000 versions). */
  allHeld(): Map<string, Stage[]> {
    return heldStages(this.db);
  }

  /** Versions a rollback moved a stage away from, and that have not held that stage again since (`name@version`). */
  rolledBack(name?: string): Set<string> {
    return rolledBackVersions(this.db, name);
  }

  /** The moves of `name` (optionally those that gave or took a stage of `version`), oldest first. */
  moves(name: string, version?: string): StageMove[] {
    return this.db
      .prepare(`SELECT ${MOVE_COLUMNS} FROM stage_moves WHERE name = ? AND (? IS NULL OR from_version = ? OR to_version = ?) ORDER BY id`)
      .all(name, version ?? null, version ?? null, version ?? null) as StageMove[];
  }

  /** Whether a rollback took `stage` away from `version` and it has not held that stage again since. */
  rolledBackFrom(name: string, version: string, stage: Stage): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM stage_moves m WHERE m.action = 'rollback' AND m.name = ? AND m.from_version = ? AND m.stage = ?
           AND NOT EXISTS (SELECT 1 FROM stage_moves later WHERE later.name = m.name AND later.stage = m.stage AND later.to_version = m.from_version AND later.id > m.id)`,
        )
        .get(name, version, stage) !== undefined
    );
  }

  /** Whether `version` held `stage` at some point. */
  heldBefore(name: string, stage: Stage, version: string): boolean {
    return this.db.prepare('SELECT 1 FROM stage_moves WHERE name = ? AND stage = ? AND to_version = ?').get(name, stage, version) !== undefined;
  }

  /**
   * Where a rollback of `stage` goes: the most recent earlier holder that is not the current one and was
   * not itself rolled back (rolling back twice walks further back, never forward again).
   */
  previousHolder(name: string, stage: Stage, isActive: (version: string) => boolean): string | undefined {
    const current = this.holder(name, stage);
    const moves = this.db.prepare('SELECT to_version FROM stage_moves WHERE name = ? AND stage = ? ORDER BY id DESC').pluck().all(name, stage) as string[];
    return moves.find((v) => v !== current && !this.rolledBackFrom(name, v, stage) && isActive(v));
  }

  /** Records a move; with a signer (a trust file), it is a signed statement about the new holder's digest. */
  move(m: Omit<StageMove, 'id'> & { signer?: Signer | undefined; digest: string }): StageMove {
    const { signer, digest, ...move } = m;
    const signed = signer?.(
      statementAbout(m.name, m.toVersion, digest, STAGE_PREDICATE, { stage: m.stage, from: m.fromVersion, action: m.action, at: m.at, reason: m.reason }),
    );
    const result = this.db
      .prepare(
        'INSERT INTO stage_moves (name, stage, from_version, to_version, action, actor, team, at, reason, signer, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(m.name, m.stage, m.fromVersion, m.toVersion, m.action, m.actor, m.team, m.at, m.reason, signed?.keyId ?? null, signed?.envelope ?? null);
    return { id: Number(result.lastInsertRowid), ...move };
  }
}
