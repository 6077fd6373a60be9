import { stringify } from 'yaml';
import { evidencePieces } from '../../core/registry/evidence.js';
import { originText, remoteStages } from '../../core/registry/provenance.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { readRegistry } from '../read-registry.js';

export async function showCommand(ctx: CliContext, ref: string, options: { json?: boolean }): Promise<number> {
  return readRegistry(ctx, (registry) => {
    const row = registry.resolve(ref);
    const bundle = registry.bundleOf(row.name, row.version);
    const dependencies = registry.dependenciesOf(row.name, row.version);
    const usedBy = registry.usedBy(row.name, row.version).map((u) => ({ ...u, holds: registry.resolve(`${u.name}@${u.version}`).holds }));
    const evidence = evidencePieces(registry, row);
    const remotes = remoteStages(registry, row);
    if (row.resolvedFrom) note(ctx, `${row.name}@${row.resolvedFrom} → ${row.name}@${row.version}`);
    if (options.json) {
      printJson(ctx, { ...row, remoteStages: remotes, evidence, files: bundle.files, dependencies, usedBy, spec: bundle.spec });
      return 0;
    }
    printLine(ctx, `${out.bold(`${row.name}@${row.version}`)}  ${row.kind}  owner ${row.owner}`);
    printLine(
      ctx,
      `  status   ${row.status} (reached ${row.stage})${row.holds.length ? ` · holds ${out.bold(row.holds.join(', '))}` : ' · holds no stage'}${row.rolledBack ? out.red(' · rolled back') : ''}`,
    );
    printLine(ctx, `  digest   ${row.digest}`);
    printLine(ctx, `  created  ${row.createdAt} by ${row.createdBy}`);
    // A stage on a remote is what its signed evidence says; it does not route here (local promotions do).
    for (const r of remotes) printLine(ctx, `  remote   ${out.bold(r.stage)} on ${r.remote} ${out.dim(`(signed by ${r.keyName} ${r.keyId})`)}`);
    if (evidence.length) {
      printLine(ctx, '  evidence');
      for (const e of evidence) printLine(ctx, `    ${e.detail} — ${e.pulled ? originText(e.pulled) : out.dim('local')}`);
    }
    if (bundle.files.length) {
      printLine(ctx, '  files');
      for (const f of bundle.files) printLine(ctx, `    ${f.path}  ${out.dim(`${f.size} B  ${f.digest.slice(0, 19)}`)}`);
    }
    if (dependencies.length) {
      printLine(ctx, '  resolved refs');
      for (const d of dependencies) printLine(ctx, `    ${d.ref} → ${d.name}@${d.version}  ${out.dim(d.digest.slice(0, 19))}`);
    }
    if (usedBy.length) {
      printLine(ctx, '  used by');
      for (const u of usedBy) printLine(ctx, `    ${u.name}@${u.version}${u.holds.length ? ` (${u.holds.join(', ')})` : ''}  ${out.dim(`via ${u.ref}`)}`);
    }
    printLine(ctx, '');
    printLine(ctx, stringify(bundle.spec).trimEnd());
    return 0;
  });
}
