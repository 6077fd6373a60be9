/** `policy diff [name]`: workspace policies against the registered versions in force (exit 1 on drift). */
import { type PolicyDrift, policyDrift } from '../../core/registry/policies-in-force.js';
import { loadWorkspaceSpecs } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { readRegistry } from '../read-registry.js';

export async function policyDiffCommand(ctx: CliContext, name: string | undefined, options: { json?: boolean }): Promise<number> {
  return readRegistry(ctx, (registry, paths) => {
    const all = policyDrift(registry, loadWorkspaceSpecs(paths.root, ctx.cwd).workspace);
    const policies = name === undefined ? all : all.filter((d) => d.name === name);
    const drift = policies.some(isDrift);
    if (options.json) {
      printJson(ctx, { inSync: !drift, policies });
      return drift ? 1 : 0;
    }
    if (policies.length === 0) printLine(ctx, name ? `no policy named "${name}" in the workspace or the registry` : 'no policies');
    for (const d of policies) present(ctx, d);
    return drift ? 1 : 0;
  });
}

/** A registered policy without a workspace copy is not drift: the workspace just does not carry it. */
function isDrift(d: PolicyDrift): boolean {
  return d.state !== 'in-sync' && d.state !== 'not-in-workspace';
}

function present(ctx: CliContext, d: PolicyDrift): void {
  const ws = d.workspace ? `${d.workspace.file} ${d.workspace.version} ${out.dim(d.workspace.digest)}` : 'no workspace copy';
  const reg = d.registered ? `${d.registered.version} (${d.registered.status}) ${out.dim(d.registered.digest)}` : 'none in force';
  printLine(ctx, `${isDrift(d) ? out.red('✗') : out.green('✓')} ${out.bold(d.name)} ${d.state}`);
  printLine(ctx, `    workspace:  ${ws}`);
  printLine(ctx, `    registered: ${reg}`);
  for (const c of d.changes) {
    const show = (v: unknown) => JSON.stringify(v);
    if (c.change === 'added') printLine(ctx, out.green(`    + ${c.path}: ${show(c.after)}`));
    else if (c.change === 'removed') printLine(ctx, out.red(`    - ${c.path}: ${show(c.before)}`));
    else printLine(ctx, `    ${out.yellow('~')} ${c.path}: ${out.red(show(c.before))} → ${out.green(show(c.after))}`);
  }
  if (isDrift(d)) {
    printLine(ctx, `    ${d.detail}`);
    if (d.fix) printLine(ctx, `    ${out.cyan('fix:')} ${d.fix}`);
  }
}
