/**
 * A pulled bundle is checked like a local spec before it is registered: a remote is not trusted to
 * have run `validate`. The spec must pass its schema (durations, names, versions), its files must be
 * relative paths inside the bundle (no "..", no absolute paths), present, of the size they claim and
 * under the cap; what it references must be in it; its regular expressions must run on RE2, and its
 * sample set and cassette must parse. Anything `validate` would refuse is refused here.
 */
import { CheckFailedError } from '../errors.js';
import { parseDataset } from '../eval/dataset.js';
import { cassetteSchema } from '../providers/cassette.js';
import { BUNDLE_FORMAT, type Bundle, referencedFiles } from '../registry/bundle.js';
import type { Digest } from '../util/canonical.js';
import { DEFAULT_REFERENCED_FILE_BYTES } from '../util/read-file.js';
import { REGEX_FIX, regexProblem } from '../util/safe-regex.js';
import { type Diagnostic, formatPath, type PathSegment } from './diagnostics.js';
import { documentSchemas, isSpecKind, type SpecDocument } from './schema.js';
import { MAX_DATA_BYTES, parseYamlSafely } from './yaml.js';

export interface BundleCheckOptions {
  /** Cap on each file (limits.referencedFileBytes of the pulling workspace). */
  maxFileBytes?: number;
}

/** Every reason `validate` would refuse this bundle; empty when it is fine. */
export function validateBundle(bundle: Bundle, files: ReadonlyMap<Digest, Buffer>, options: BundleCheckOptions = {}): Diagnostic[] {
  const file = `${bundle.name}@${bundle.version}`;
  const out: Diagnostic[] = [];
  const report = (path: PathSegment[], code: string, message: string, fix: string) =>
    void out.push({ file, line: 1, col: 1, path: formatPath(path), code, message, fix, severity: 'error' });

  if (bundle.format !== BUNDLE_FORMAT)
    report(['format'], 'bad-bundle', `unknown bundle format ${JSON.stringify(bundle.format)}`, `push it with an agentctl that writes ${BUNDLE_FORMAT}`);
  const spec = bundle.spec as unknown as { kind?: unknown };
  if (!isSpecKind(spec?.kind)) {
    report(['spec', 'kind'], 'unknown-kind', `the bundle's spec has no known kind (${JSON.stringify(spec?.kind ?? null)})`, 'push a valid spec');
    return out;
  }
  const checked = documentSchemas[spec.kind].safeParse(bundle.spec);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
      report(path, 'schema', issue.message, 'fix the spec and push a new version');
    }
    return out;
  }
  const doc = checked.data as SpecDocument;
  for (const [key, value] of [
    ['kind', doc.kind],
    ['name', doc.metadata.name],
    ['version', doc.metadata.version],
    ['owner', doc.metadata.owner],
  ] as const) {
    if (bundle[key] !== value)
      report([key], 'bad-bundle', `the bundle says ${key} ${bundle[key]} but its spec says ${value}`, 'push a bundle built by agentctl');
  }

  const maxBytes = options.maxFileBytes ?? DEFAULT_REFERENCED_FILE_BYTES;
  const byPath = new Map<string, Buffer>();
  for (const [i, f] of bundle.files.entries()) {
    const problem = pathProblem(f.path);
    const bytes = files.get(f.digest);
    if (problem) report(['files', i, 'path'], 'path-escape', `the file path ${JSON.stringify(f.path)} ${problem}`, 'push a bundle whose files stay inside it');
    else if (byPath.has(f.path)) report(['files', i, 'path'], 'bad-bundle', `the file ${f.path} is listed twice`, 'push a bundle built by agentctl');
    else if (!bytes) report(['files', i], 'missing-file', `the file ${f.path} is not in the bundle`, 'push the version again');
    else {
      if (bytes.length !== f.size)
        report(['files', i, 'size'], 'bad-bundle', `the file ${f.path} is ${bytes.length} bytes, not ${f.size}`, 'push the version again');
      if (bytes.length > maxBytes) {
        report(
          ['files', i],
          'too-large',
          `the file ${f.path} is ${bytes.length} bytes; the cap is ${maxBytes}`,
          'raise limits.referencedFileBytes in .agentctl/config.yaml',
        );
      }
      byPath.set(f.path, bytes);
    }
  }
  for (const ref of referencedFiles(doc)) {
    const path = ref.replace(/\\/g, '/').replace(/^\.\//, '');
    if (pathProblem(path)) report(['spec'], 'path-escape', `the spec references ${ref}, outside the bundle`, 'reference files inside the agent folder');
    else if (!byPath.has(path)) report(['spec'], 'missing-file', `the spec references ${ref}, which the bundle does not contain`, 'push the version again');
  }

  const regex = (path: PathSegment[], pattern: string, flags = '') => {
    const problem = regexProblem(pattern, flags);
    if (problem) report(path, 'invalid-regex', `regular expression /${pattern}/ cannot be used: ${problem}`, REGEX_FIX);
  };
  switch (doc.kind) {
    case 'Agent': {
      doc.spec.subAgents?.forEach((a, i) => {
        if (a.route?.when !== undefined) regex(['spec', 'subAgents', i, 'route', 'when'], a.route.when, 'i');
      });
      const text = (ref: string | undefined) => (ref === undefined ? undefined : byPath.get(ref.replace(/^\.\//, ''))?.toString('utf8'));
      const dataset = text(doc.spec.evals?.dataset);
      if (dataset !== undefined && doc.spec.evals) {
        const ref = doc.spec.evals.dataset;
        // parseDataset looks for javascript assertion files on disk, relative to the process's cwd here: a
        // bundle's files are its layers (each checked against its digest above), so that check does not apply.
        out.push(...parseDataset(dataset, ref, `${file}:${ref}`).diagnostics.filter((d) => d.code !== 'missing-file'));
      }
      const cassette = text(doc.spec.cassette);
      if (cassette !== undefined && doc.spec.cassette) {
        const parsed = parseYamlSafely(`${file}:${doc.spec.cassette}`, cassette, MAX_DATA_BYTES);
        if (!parsed.ok) out.push(...parsed.diagnostics);
        else if (!cassetteSchema.safeParse(parsed.parsed.value).success) {
          report(['spec', 'cassette'], 'schema', `the cassette ${doc.spec.cassette} does not match the cassette schema`, 'record it again');
        }
      }
      break;
    }
    case 'Tool':
      doc.spec.mocks?.forEach((mock, i) => {
        for (const [key, value] of Object.entries(mock.when ?? {})) {
          if (typeof value === 'string' && value.length >= 2 && value.startsWith('/') && value.endsWith('/')) {
            regex(['spec', 'mocks', i, 'when', key], value.slice(1, -1), 'i');
          }
        }
      });
      break;
    case 'Policy':
      doc.spec.redact?.forEach((r, i) => {
        regex(['spec', 'redact', i, 'pattern'], r.pattern);
      });
      break;
  }
  return out;
}

/** validateBundle, throwing what it finds as one CheckFailedError (exit 1) with every diagnostic. */
export function assertValidBundle(bundle: Bundle, files: ReadonlyMap<Digest, Buffer>, options: BundleCheckOptions = {}): void {
  const found = validateBundle(bundle, files, options);
  const first = found[0];
  if (!first) return;
  throw new CheckFailedError(
    `${bundle.name}@${bundle.version} is refused: ${first.path ? `${first.path}: ` : ''}${first.message}${found.length > 1 ? ` (and ${found.length - 1} more)` : ''}`,
    {
      where: first.file,
      fix: first.fix ?? 'push a valid version',
      code: 'invalid-bundle',
      diagnostics: found,
    },
  );
}

/** Why a bundle path is not a plain relative path inside the bundle, if it is not. */
function pathProblem(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'is absolute or empty';
  if (path.includes('\\')) return 'uses backslashes';
  if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) return 'leaves the bundle (contains "..", "." or an empty segment)';
  return undefined;
}
