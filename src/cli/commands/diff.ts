import { diffBundles } from '../../core/registry/diff.js';
import type { CliContext } from '../context.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { readRegistry } from '../read-registry.js';

export async function diffCommand(ctx: CliContext, from: string, to: string, options: { json?: boolean }): Promise<number> {
  return readRegistry(ctx, (registry) => {
    const [a, b] = [registry.resolve(from), registry.resolve(to)];
    const diff = diffBundles(
      { ...registry.bundleOf(a.name, a.version), digest: a.digest },
      { ...registry.bundleOf(b.name, b.version), digest: b.digest },
      registry.blobs,
    );
    if (options.json) {
      printJson(ctx, diff);
      return 0;
    }
    printLine(ctx, out.bold(`${diff.from.ref} → ${diff.to.ref}`));
    if (diff.identical) {
      printLine(ctx, 'no differences in spec or files (only the version number)');
      return 0;
    }
    for (const c of diff.spec) {
      const show = (v: unknown) => JSON.stringify(v);
      if (c.change === 'added') printLine(ctx, out.green(`+ ${c.path}: ${show(c.after)}`));
      else if (c.change === 'removed') printLine(ctx, out.red(`- ${c.path}: ${show(c.before)}`));
      else printLine(ctx, `${out.yellow('~')} ${c.path}: ${out.red(show(c.before))} → ${out.green(show(c.after))}`);
    }
    for (const f of diff.files) {
      printLine(ctx, out.bold(`${f.change === 'added' ? '+' : f.change === 'removed' ? '-' : '~'} file ${f.path}`));
      for (const line of f.lines ?? []) {
        if (line.startsWith('+')) printLine(ctx, out.green(`  ${line}`));
        else if (line.startsWith('-')) printLine(ctx, out.red(`  ${line}`));
      }
    }
    return 0;
  });
}
