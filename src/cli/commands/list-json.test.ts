import { describe, expect, it } from 'vitest';
import { random } from '../../../test/support/random.js';
import { createRedactor } from '../../core/events/redact.js';
import type { ListedVersion } from '../../core/registry/versions.js';
import { listJsonText } from './list-json.js';

// Things the redactor takes, and things that only look close, to put into the free-text fields.
const TEXTS = [
  'team-bench',
  'alice',
  'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
  'AKIAABCDEFGHIJKLMNOP',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'https://user:hunter2@example.com/x',
  'password: "correct horse"',
  'token abcdef123456',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
  'quote " and \\ backslash',
  'line\nbreak',
  'secret=',
  'token"',
  'ünïcödé',
];

function rowsOf(r: ReturnType<typeof random>, n: number): ListedVersion[] {
  // Mostly clean rows: a listing with one secret in it goes through the whole-text path anyway.
  const text = () => (r.next() < 0.04 ? r.pick(TEXTS) : r.pick(['team-bench', 'alice', 'bob@example.com', 'ünïcödé', 'quote " in it']));
  return Array.from({ length: n }, (_, i) => ({
    kind: r.pick(['Agent', 'Tool', 'Policy'] as const),
    name: r.next() < 0.7 ? `tool-${i}` : text(),
    version: `1.${i}.0`,
    owner: text(),
    stage: r.pick(['dev', 'canary', 'prod'] as const),
    status: r.pick(['draft', 'active', 'deprecated', 'disabled'] as const),
    digest: r.next() < 0.95 ? `sha256:${(i * 2654435761).toString(16).padStart(64, 'a').slice(0, 64)}` : text(),
    createdAt: r.next() < 0.95 ? new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() : text(),
    createdBy: text(),
    holds: r.next() < 0.3 ? ['dev', 'prod'] : [],
    rolledBack: r.next() < 0.5,
    usedBy: Math.floor(r.next() * 3),
  }));
}

describe('list --json redaction: a probe of the values, the same text as redacting it whole', () => {
  it('agrees with whole-text redaction on 400 generated listings, with literal secrets cut from anywhere in the text', () => {
    const r = random(7);
    let probed = 0;
    for (let i = 0; i < 400; i++) {
      const rows = rowsOf(r, 1 + Math.floor(r.next() * 12));
      const whole = `${JSON.stringify(rows, null, 2)}\n`;
      // Literals cut from the printed text itself, across keys, punctuation, digests and values alike.
      const literals = Array.from({ length: Math.floor(r.next() * 3) }, () => {
        const start = Math.floor(r.next() * whole.length);
        return whole.slice(start, start + 8 + Math.floor(r.next() * 16));
      });
      if (r.next() < 0.2) literals.push(r.pick(TEXTS));
      const redactor = createRedactor({ literals });
      const expected = redactor.text(whole);
      if (expected === whole) probed++;
      expect(listJsonText(rows, redactor, literals), `case ${i}: ${JSON.stringify(literals)}`).toBe(expected);
    }
    expect(probed).toBeGreaterThan(20);
  });

  it('redacts a secret in an owner, and a literal that spans a value and the punctuation after it', () => {
    const rows = rowsOf(random(1), 3).map((row) => ({ ...row, name: 'triage', owner: 'team-a', createdBy: 'bob', digest: `sha256:${'0'.repeat(64)}` }));
    const clean = createRedactor({ literals: [] });
    expect(listJsonText(rows, clean, [])).toBe(`${JSON.stringify(rows, null, 2)}\n`);
    const leaky = rows.map((row, i) => (i === 1 ? { ...row, owner: 'AKIAABCDEFGHIJKLMNOP' } : row));
    expect(listJsonText(leaky, clean, [])).toContain('"owner": "[REDACTED]"');
    const spanning = ['team-a",\n    "stage'];
    const redactor = createRedactor({ literals: spanning });
    expect(listJsonText(rows, redactor, spanning)).toBe(redactor.text(`${JSON.stringify(rows, null, 2)}\n`));
    expect(listJsonText(rows, redactor, spanning)).toContain('[REDACTED]');
    // A "secret" made of the punctuation and booleans between values (absurd, but redacted whole, so here too).
    const structure = ['false,\n    "usedBy', 'false,\n    '];
    for (const literal of structure) {
      const odd = createRedactor({ literals: [literal] });
      const withFalse = rows.map((row) => ({ ...row, rolledBack: false }));
      expect(listJsonText(withFalse, odd, [literal])).toBe(odd.text(`${JSON.stringify(withFalse, null, 2)}\n`));
    }
  });

  it('probes the digests and timestamps when one of them has not its shape, even by a tail after a good one', () => {
    const rows = rowsOf(random(3), 20).map((row, i) => ({
      ...row,
      name: `tool-${i}`,
      owner: 'team-a',
      createdBy: 'bob',
      digest: `sha256:${String(i).padStart(64, '0')}`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    const secret = 'hunter2-hunter2';
    const redactor = createRedactor({ literals: [secret] });
    const cases = [
      { ...rows[7], digest: secret },
      { ...rows[7], digest: `${rows[7]?.digest}${secret}` },
      { ...rows[7], createdAt: secret },
      { ...rows[7], createdAt: `${rows[7]?.createdAt}${secret}` },
      { ...rows[7], digest: `sha256:${'0'.repeat(63)}"${secret}` },
    ] as ListedVersion[];
    for (const odd of cases) {
      const listed = rows.map((row, i) => (i === 7 ? odd : row));
      const text = listJsonText(listed, redactor, [secret]);
      expect(text, JSON.stringify(odd)).not.toContain(secret);
      expect(text).toBe(redactor.text(`${JSON.stringify(listed, null, 2)}\n`));
    }
    expect(listJsonText(rows, redactor, [secret])).toBe(`${JSON.stringify(rows, null, 2)}\n`);
  });
});
