/** The templates in scaffolds/: each a folder with template.yaml and a files/ tree. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { didYouMean } from '../spec/diagnostics.js';
import { packageRoot } from '../util/package-root.js';

export interface TemplateInfo {
  name: string;
  title: string;
  description: string;
  /** Internal building blocks (the workspace skeleton, `new` kinds) are not offered to users. */
  hidden: boolean;
  dir: string;
}

export function scaffoldsDir(): string {
  return join(packageRoot(), 'scaffolds');
}

export function listTemplates(options: { includeHidden?: boolean } = {}): TemplateInfo[] {
  const root = scaffoldsDir();
  const found: TemplateInfo[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = join(dir, entry.name);
      const manifest = join(folder, 'template.yaml');
      if (existsSync(manifest)) {
        const meta = parse(readFileSync(manifest, 'utf8')) as Partial<TemplateInfo>;
        found.push({
          name: `${prefix}${entry.name}`,
          title: meta.title ?? entry.name,
          description: meta.description ?? '',
          hidden: Boolean(meta.hidden) || entry.name.startsWith('_') || prefix !== '',
          dir: folder,
        });
      } else if (entry.name.startsWith('_')) visit(folder, `${entry.name}/`);
    }
  };
  visit(root, '');
  return found.filter((t) => options.includeHidden || !t.hidden).sort((a, b) => a.name.localeCompare(b.name));
}

/** Looks a template up by name among the known ones only, so no name can point outside scaffolds/. */
export function findTemplate(name: string, options: { includeHidden?: boolean } = {}): TemplateInfo {
  const templates = listTemplates(options);
  const found = templates.find((t) => t.name === name);
  if (found) return found;
  const suggestion = didYouMean(
    name,
    templates.map((t) => t.name),
  );
  throw new UsageError(`unknown template "${name}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, {
    fix: `use one of: ${templates.map((t) => t.name).join(', ')} (agentctl templates lists them)`,
    code: 'unknown-template',
  });
}
