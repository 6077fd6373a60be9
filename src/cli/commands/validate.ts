import { existsSync } from 'node:fs';
import { Registry } from '../../core/registry/registry.js';
import { afterValidate } from '../../core/release/next.js';
import { validateWorkspace } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { formatDiagnostic } from '../present/diagnostics.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { workspaceOf } from '../workspace.js';

export async function validateCommand(ctx: CliContext, paths: string[], options: { json?: boolean }): Promise<number> {
  const workspace = workspaceOf(ctx);
  // Refs may resolve to registered versions; a workspace with no registry yet has none.
  const registry = existsSync(workspace.registryPath) ? Registry.open(workspace, { readonly: true }) : undefined;
  try {
    const report = validateWorkspace({
      root: workspace.root,
      cwd: ctx.cwd,
      paths,
      registered: (name) => registry?.versionsOf(name) ?? [],
      defaultPolicy: workspace.config.defaultPolicy,
    });
    if (options.json) {
      printJson(ctx, report);
      return report.ok ? 0 : 1;
    }
    for (const diagnostic of report.diagnostics) printLine(ctx, formatDiagnostic(diagnostic));
    if (report.files.length === 0) note(ctx, 'no specs found (agents/*/agent.yaml, tools/*/tool.yaml, policies/*.yaml)');
    const summary = `${report.files.length} spec${report.files.length === 1 ? '' : 's'} checked, ${report.errors} error${report.errors === 1 ? '' : 's'}${report.warnings ? `, ${report.warnings} warning(s)` : ''}`;
    note(ctx, report.ok ? `${out.green('✓')} ${summary}` : `${out.red('✗')} ${summary}`);
    const hint = report.ok ? afterValidate(report.files.flatMap((f) => (f.kind === 'Agent' && f.name ? [{ name: f.name, file: f.file }] : []))) : undefined;
    if (hint) nextStep(ctx, ...hint);
    return report.ok ? 0 : 1;
  } finally {
    registry?.close();
  }
}
