/**
 * `list --json`'s text, redacted exactly as printing it whole would be, without scanning all of it: the
 * redactor's precheck over 2.3 MB (10,000 versions) was a tenth of the command. The text is
 * `JSON.stringify(rows, null, 2)`: fixed keys, punctuation, numbers and booleans, and string values, each
 * between two `"` (escaped inside). Why a probe of the values decides for the whole text:
 * - No built-in pattern can match across a `"`: their character classes exclude it, and the two that may
 *   take one (a secret-like key's `"` before `:`/`=`) would need a key named like a secret (ours are not) or
 *   a `:`/`=` after a value's closing quote (JSON puts `,` or a newline and a bracket there). Their
 *   lookarounds and `\b` see a `"` at both ends of a value, in the text and in the probe alike.
 * - A literal secret with no `"` in it matches only inside one stretch between two quotes: a key, a value,
 *   or punctuation, numbers and true/false (`: false,\n    `). One made only of such characters, or with a
 *   `"`, sends the whole text to the redactor, as before.
 * - Digests (`sha256:` and 64 hex digits, enforced by the table) and timestamps hold no built-in match;
 *   they are left out of the probe unless a literal is made only of their characters (each one is tested:
 *   a search of the whole text for one without the shape was slower than 20,000 small tests, as V8 runs a
 *   regular expression's first match interpreted).
 * So: the probe (every distinct key and remaining value, JSON-escaped, each between quotes) unchanged by
 * the redactor means the whole text is unchanged; anything found sends the whole text through it.
 */
import type { Redactor } from '../../core/events/redact.js';
import type { ListedVersion } from '../../core/registry/versions.js';

const KEYS = ['kind', 'name', 'version', 'owner', 'stage', 'status', 'digest', 'createdAt', 'createdBy', 'holds', 'rolledBack', 'usedBy'];
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
/** What a literal made only of these could match outside the values: punctuation, numbers, true/false. */
const STRUCTURE_ONLY = /^[\s,:{}[\]0-9a-z]*$/;
const DIGEST_ONLY = /^[0-9a-f:sh]*$/;
const TIMESTAMP_ONLY = /^[0-9TZ:.-]*$/;

/** The JSON `list --json` prints, with what the redactor would replace in it replaced. */
export function listJsonText(rows: readonly ListedVersion[], redactor: Redactor, literals: readonly string[]): string {
  const text = `${JSON.stringify(rows, null, 2)}\n`;
  // The redactor ignores literals shorter than 8 characters (createRedactor).
  const live = literals.filter((l) => l.length >= 8);
  if (live.some((l) => l.includes('"') || STRUCTURE_ONLY.test(l))) return redactor.text(text);
  const skipDigests = !live.some((l) => DIGEST_ONLY.test(l));
  const skipTimestamps = !live.some((l) => TIMESTAMP_ONLY.test(l));
  const values = new Set<string>(KEYS);
  // Rows come sorted by name and mostly share kind, owner, stage, status and author: a value equal to the
  // row before's is in the set already, and comparing is much cheaper than hashing it again (10,000 rows).
  let p: Partial<ListedVersion> = {};
  for (const r of rows) {
    if (r.kind !== p.kind) values.add(r.kind);
    if (r.name !== p.name) values.add(r.name);
    if (r.version !== p.version) values.add(r.version);
    if (r.owner !== p.owner) values.add(r.owner);
    if (r.stage !== p.stage) values.add(r.stage);
    if (r.status !== p.status) values.add(r.status);
    if (r.createdBy !== p.createdBy) values.add(r.createdBy);
    if (!(skipDigests && DIGEST.test(r.digest))) values.add(r.digest);
    if (!(skipTimestamps && TIMESTAMP.test(r.createdAt))) values.add(r.createdAt);
    for (const stage of r.holds) values.add(stage);
    p = r;
  }
  const probe = [...values].map((v) => JSON.stringify(v)).join('\n');
  return redactor.text(probe) === probe ? text : redactor.text(text);
}
