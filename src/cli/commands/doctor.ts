import { doctorExitCode, runDoctor } from '../../core/doctor.js';
import type { CliContext } from '../context.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';

export async function doctorCommand(ctx: CliContext, options: { json?: boolean; deep?: boolean }): Promise<number> {
  const checks = runDoctor(ctx.cwd, ctx.env, ctx.flags, { deep: options.deep === true });
  const ok = checks.every((c) => c.ok);
  if (options.json) printJson(ctx, { ok, checks });
  else {
    for (const c of checks) {
      printLine(ctx, `${c.ok ? out.green('✓') : out.red('✗')} ${c.name.padEnd(12)} ${c.detail}`);
      if (!c.ok && c.fix) printLine(ctx, `  ${out.cyan('fix:')} ${c.fix}`);
    }
  }
  return doctorExitCode(checks);
}
