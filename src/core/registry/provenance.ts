/**
 * Where a version's evidence came from: recorded here, or pulled with the version from a remote in an
 * attestation signed by a trusted key (imported_evidence). Imported evidence counts for the gates like
 * local evidence (it was verified when pulled); local evidence comes first when both exist.
 */
import type { Approval, EvalRow, ImportedEvidence } from '../eval/store.js';
import type { Stage } from './lifecycle.js';
import type { Registry, VersionRow } from './registry.js';

export interface PulledFrom {
  remote: string;
  keyId: string;
  keyName: string;
  manifestDigest: string;
  attestationDigest: string;
  importedAt: string;
}

export interface EvidencePiece {
  kind: 'eval' | 'approval';
  /** What it is: "eval <id>: pass rate 100.0%", "approval by carol (team-qa)". */
  detail: string;
  /** null: recorded in this registry. */
  pulled: PulledFrom | null;
}

/** "local", or "pulled from team (signed by alice sha256:…)". */
export function originText(pulled: PulledFrom | null): string {
  return pulled ? `pulled from ${pulled.remote} (signed by ${pulled.keyName} ${pulled.keyId})` : 'local';
}

function pulledFrom(e: ImportedEvidence): PulledFrom {
  return {
    remote: e.remote,
    keyId: e.signerKeyId,
    keyName: e.signerName,
    manifestDigest: e.manifestDigest,
    attestationDigest: e.attestationDigest,
    importedAt: e.importedAt,
  };
}

/** The imported eval as an eval row (newest attestation that carries one), with its origin as `source`. */
function importedEval(row: VersionRow, imported: ImportedEvidence[]): { eval: EvalRow; from: ImportedEvidence } | undefined {
  const from = [...imported].reverse().find((e) => e.predicate.eval);
  const e = from?.predicate.eval;
  if (!from || !e) return undefined;
  return {
    from,
    eval: {
      evalId: e.evalId,
      agent: row.name,
      version: row.version,
      digest: row.digest,
      source: originText(pulledFrom(from)),
      datasetDigest: '',
      provider: '',
      repeat: 1,
      status: 'complete',
      interrupted: false,
      startedAt: 0,
      finishedAt: null,
      passRate: e.passRate,
      baselineRef: e.baseline,
      baselineDigest: null,
      regressions: e.regressions,
      summary: e.summary,
      policies: [],
      environment: null,
    },
  };
}

/** Local evidence, completed by what was pulled with the version (one approval per user, local first). */
export function withImported(
  registry: Registry,
  row: VersionRow,
  local: { eval: EvalRow | undefined; approvals: Approval[] },
): { eval: EvalRow | undefined; approvals: Approval[]; pieces: EvidencePiece[] } {
  const imported = registry.evals.importedEvidence(row.name, row.version, row.digest);
  const pulledEval = local.eval ? undefined : importedEval(row, imported);
  const evaluation = local.eval ?? pulledEval?.eval;
  const pieces: EvidencePiece[] = [];
  if (evaluation) {
    const rate = `pass rate ${((evaluation.passRate ?? 0) * 100).toFixed(1)}%`;
    pieces.push({ kind: 'eval', detail: `eval ${evaluation.evalId}: ${rate}`, pulled: pulledEval ? pulledFrom(pulledEval.from) : null });
  }
  const approvals = [...local.approvals];
  for (const a of local.approvals) pieces.push({ kind: 'approval', detail: `approval by ${a.user} (${a.team})`, pulled: null });
  for (const e of imported) {
    for (const a of e.predicate.approvals) {
      if (approvals.some((b) => b.user === a.user)) continue;
      // A signed approval keeps its approver's envelope: the consumer's gates verify it against their own
      // trust file (the publisher's signature over the attestation does not make it the approver's).
      approvals.push({
        user: a.user,
        team: a.team,
        note: a.note,
        at: a.at,
        digest: row.digest,
        signer: a.signer ?? null,
        envelope: a.envelope ? JSON.stringify(a.envelope) : null,
      });
      pieces.push({ kind: 'approval', detail: `approval by ${a.user} (${a.team})`, pulled: pulledFrom(e) });
    }
  }
  return { eval: evaluation, approvals, pieces };
}

/** The stages the version held on remotes it was pulled from, as their signed attestations say. */
export function remoteStages(registry: Registry, row: VersionRow): { stage: Stage; remote: string; keyName: string; keyId: string }[] {
  const seen = new Set<string>();
  return registry.evals.importedEvidence(row.name, row.version, row.digest).flatMap((e) => {
    const key = `${e.remoteStage}@${e.remote}`;
    if (!e.remoteStage || seen.has(key)) return [];
    seen.add(key);
    return [{ stage: e.remoteStage, remote: e.remote, keyName: e.signerName, keyId: e.signerKeyId }];
  });
}
