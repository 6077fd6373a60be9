import { describe, expect, it } from 'vitest';
import { createRedactor, findSecrets, REDACTED } from './redact.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3d4\nQkF6bWVudHMgYXJlIGZha2U=\n-----END RSA PRIVATE KEY-----';
// One of each kind the redactor knows, as they appear in prose.
const SECRETS = {
  openai: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  anthropic: 'sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c',
  google: 'AIzaSyD4f8G2h6J0k3L7m1N5p9Q2r6S0t4U8v2w',
  awsId: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: AWS_SECRET,
  github: 'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6',
  gitlab: 'glpat-Xy7zW3vU9tS5rQ1pO8nM',
  slack: 'xoxb-2048163264-4096128256-aBcDeFgHiJkLmNoP',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

describe('createRedactor', () => {
  const r = createRedactor();

  it.each(Object.entries(SECRETS))('redacts %s in text and in JSON', (_, secret) => {
    expect(r.text(`here: ${secret}.`)).toBe(`here: ${REDACTED}.`);
    expect(r.json({ note: `x ${secret} y` })).not.toContain(secret);
  });

  it('redacts PEM private keys with real and JSON-escaped newlines, and cut-off ones', () => {
    expect(r.text(`key ${PEM} done`)).toBe(`key ${REDACTED} done`);
    expect(r.json({ key: PEM })).toBe(`{"key":"${REDACTED}"}`);
    expect(r.json({ pem: PEM })).not.toContain('MIIEow');
    expect(r.text(PEM.slice(0, 60))).not.toContain('MIIEow');
  });

  it('keeps the scheme and user of a URL and drops its password', () => {
    expect(r.text('clone https://admin:pw@host/repo and postgres://app:s3cr3t@db:5432/x')).toBe(
      `clone https://admin:${REDACTED}@host/repo and postgres://app:${REDACTED}@db:5432/x`,
    );
    expect(r.text('see https://host:8443/path@v2')).toBe('see https://host:8443/path@v2');
  });

  it('redacts values under secret-like names in key: value, key=value and JSON text', () => {
    expect(r.text('password: hunter22')).toBe(`password: ${REDACTED}`);
    expect(r.text('DB_PASSWORD=abcd1234 next')).toBe(`DB_PASSWORD=${REDACTED} next`);
    expect(r.text(`aws_secret_access_key = ${AWS_SECRET}`)).toBe(`aws_secret_access_key = ${REDACTED}`);
    expect(r.text('{"apiKey": "0123-abcd"}')).toBe(`{"apiKey": "${REDACTED}"}`);
    expect(r.json({ input: 'my password: "a long pass phrase"' })).toBe(`{"input":"my password: \\"${REDACTED}\\""}`);
    expect(r.json({ db_password: 'x1', accessToken: 'y', secretAccessKey: 'z', maxTokens: 5 })).toBe(
      `{"db_password":"${REDACTED}","accessToken":"${REDACTED}","secretAccessKey":"${REDACTED}","maxTokens":5}`,
    );
  });

  it('redacts bearer and basic credentials but not prose', () => {
    expect(r.text('Authorization: Bearer abc.def.123456')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r.text('Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
    expect(r.text('Basic information; token estimated')).toBe('Basic information; token estimated');
  });

  it('never touches digests, git SHAs, ULIDs, paths or environment references', () => {
    const keep = [
      `sha256:${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}`,
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'run 01HZX3K4M5N6P7Q8R9S0T1V2W3',
      '/home/User1/projects/agentctlWorkspaceDir1',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an environment reference, not a template
      'token: ${MY_TOKEN}',
      'apiKeyEnv: AGENTCTL_GATEWAY_KEY',
      'maxTokens: 4096',
    ];
    for (const text of keep) expect(r.text(text)).toBe(text);
  });

  it('redacts literal secrets (longest first) and the policy patterns', () => {
    const lit = createRedactor({ literals: ['gw-key-123456789', 'Bearer hdr-value-42', 'short'], patterns: ['ACME-[0-9]{4}'] });
    expect(lit.text('401: invalid key gw-key-123456789; header Bearer hdr-value-42; short; ACME-1234')).toBe(
      `401: invalid key ${REDACTED}; header ${REDACTED}; short; ${REDACTED}`,
    );
  });

  it('indents JSON like JSON.stringify', () => {
    expect(r.json({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });
});

describe('findSecrets', () => {
  it('points at each lookalike with what it looks like', () => {
    const text = `description: uses ${SECRETS.awsId}\nsecret: ${AWS_SECRET}\nurl: https://admin:pw@host\n`;
    const hits = findSecrets(text);
    expect(hits.map((h) => h.label)).toEqual(['an AWS access key id', 'an AWS secret access key', 'a password in a URL']);
    expect(text.slice(hits[2]?.index, (hits[2]?.index ?? 0) + (hits[2]?.length ?? 0))).toBe('pw');
  });

  it('finds nothing in a clean spec', () => {
    expect(findSecrets('apiVersion: agentctl/v1\nkind: Agent\nmetadata:\n  name: support\nspec:\n  model: gpt-4o\n  maxTokens: 512\n')).toEqual([]);
  });
});

describe('redacted JSON stays JSON', () => {
  it('parses back after every kind of redaction, escaped quotes included', () => {
    const r = createRedactor({ literals: ['gw-key-123456789'] });
    const value = {
      a: `password: "abc\\"def" and ${SECRETS.openai}`,
      b: `-----BEGIN PRIVATE KEY-----\nMIIEv${'A'.repeat(30)}`,
      c: { d: '-----END PRIVATE KEY----- https://u:p4ss@h token=xyz12345 gw-key-123456789' },
      e: [`secret: '${AWS_SECRET}'`, `{"apiKey":"0123-abcd"}`],
    };
    const parsed = JSON.parse(r.json(value)) as typeof value;
    expect(JSON.stringify(parsed)).not.toMatch(/sk-proj|MIIEv|p4ss|xyz12345|gw-key|wJalr|0123-abcd/);
    expect(Object.keys(parsed)).toEqual(['a', 'b', 'c', 'e']);
  });
});
