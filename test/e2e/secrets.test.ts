/**
 * Secrets planted in every channel a user or a model can put them in, then every command run through
 * the built binary, then every byte the workspace holds and every byte printed scanned: zero hits.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentctl, type CliResult } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir, writeFile } from '../support/workspace.js';

const PEM_BODY = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0';
/** What is planted, and the part of it that must never be found again. */
const SECRETS = {
  openai: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  anthropic: 'sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c',
  google: 'AIzaSyD4f8G2h6J0k3L7m1N5p9Q2r6S0t4U8v2w',
  awsId: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  github: 'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6',
  gitlab: 'glpat-Xy7zW3vU9tS5rQ1pO8nM',
  slack: 'xoxb-2048163264-4096128256-aBcDeFgHiJkLmNoP',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  pem: PEM_BODY,
  urlPassword: 'Pw-s3cret-9931',
  passwordField: 'hunter2-Correct-Horse',
  gatewayKey: 'gw-live-key-5f4e3d2c1b0a',
  header: 'pk-header-value-8a7b6c5d',
};
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`;

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

const outputs: { command: string; result: CliResult }[] = [];

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secrets on every path', () => {
  it('plants 14 secret kinds in 10 channels, runs every command, and finds none of them on disk or in any output', async () => {
    const cwd = tempDir();
    const env = {
      AGENTCTL_USER: 'alice',
      AGENTCTL_GATEWAY_KEY: SECRETS.gatewayKey,
      PORTKEY_KEY: SECRETS.header,
      AGENTCTL_REMOTE_LOCAL_PASSWORD: 'remote-pass-77665544',
    };
    const cli = async (args: string[], expected?: number) => {
      const result = await agentctl(args, { cwd, env });
      outputs.push({ command: args.join(' '), result });
      if (expected !== undefined) expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(expected);
      return result;
    };
    await cli(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], 0);
    const config = readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8');
    writeFile(
      cwd,
      '.agentctl/config.yaml',
      config.replace(
        '  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
        '  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n  retries: 0\n  headers:\n    x-portkey-api-key: ${PORTKEY_KEY}\n',
      ),
    );
    // A clean version first: registered and pushed (with its eval evidence) before anything is planted.
    await cli(['register', 'agents/triage'], 0);
    await cli(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], 0);
    gateway.script({ kind: 'text', text: 'Our refund policy: see the handbook.' });
    await cli(['eval', 'triage@0.1.0']);

    // Channels: spec description, prompt, sample inputs, cassette responses, mock outputs (user content).
    const agentPath = join(cwd, 'agents/triage/agent.yaml');
    writeFile(cwd, 'agents/triage/agent.yaml', readFileSync(agentPath, 'utf8').replace(/description: .*/, `description: "Deploys with ${SECRETS.anthropic}"`));
    writeFile(
      cwd,
      'agents/triage/prompts/v1/system.md',
      `${readFileSync(join(cwd, 'agents/triage/prompts/v1/system.md'), 'utf8')}\nGoogle key ${SECRETS.google}; signing key:\n${PEM}\n`,
    );
    writeFile(
      cwd,
      'agents/triage/evals/samples.yaml',
      `samples:\n  - id: leaky\n    input: "my aws secret is ${SECRETS.awsSecret}"\n    assert:\n      - type: contains\n        value: nothing-like-this\n`,
    );
    writeFile(
      cwd,
      'agents/triage/cassettes/default.yaml',
      `version: 1\ninteractions:\n  - match: { input: "show me the keys" }\n    responses:\n      - content: "Slack ${SECRETS.slack} and JWT ${SECRETS.jwt}"\n  - match: { input: "my aws secret is ${SECRETS.awsSecret}" }\n    responses:\n      - content: "echo ${SECRETS.awsSecret} at https://admin:${SECRETS.urlPassword}@db.example.com"\n`,
    );
    const toolPath = join(cwd, 'tools/triage-lookup/tool.yaml');
    writeFile(cwd, 'tools/triage-lookup/tool.yaml', readFileSync(toolPath, 'utf8').replace('"No matching passage."', `"token ${SECRETS.gitlab}"`));

    // validate warns about each planted file; register refuses them.
    const validate = await cli(['validate', '--json'], 0);
    const warned = new Set(
      (JSON.parse(validate.stdout).diagnostics as { file: string; code: string }[]).filter((d) => d.code === 'live-secret').map((d) => d.file),
    );
    expect([...warned].sort()).toEqual([
      'agents/triage/agent.yaml',
      'agents/triage/cassettes/default.yaml',
      'agents/triage/evals/samples.yaml',
      'agents/triage/prompts/v1/system.md',
      'tools/triage-lookup/tool.yaml',
    ]);
    const refused = await cli(['register', 'agents/triage'], 1);
    expect(refused.stdout).toMatch(/agents\/triage\/agent.yaml:\d+:\d+ {2}error {2}looks like an Anthropic API key/);
    expect(refused.stdout).toContain('move it to an environment variable');

    // Channels: run input, cassette responses, sample inputs (eval of the workspace copy).
    await cli(['run', 'triage', '-i', `use ${SECRETS.openai} and ${SECRETS.awsId} with password: ${SECRETS.passwordField}`, '--provider', 'echo']);
    await cli(['run', 'triage', '-i', 'show me the keys', '--provider', 'cassette', '--json'], 0);
    gateway.script({ kind: 'text', text: `you said ${SECRETS.awsSecret}` });
    await cli(['eval', 'triage', '--json']);

    // Channels: the model's tool arguments, a mock output, recorded gateway responses (--record).
    gateway.script(
      { kind: 'tool', name: 'triage-lookup', args: { query: `token ${SECRETS.github}` } },
      { kind: 'text', text: `done: ${SECRETS.slack} https://admin:${SECRETS.urlPassword}@host` },
    );
    await cli(['run', 'triage', '-i', 'record this', '--provider', 'openai', '--record'], 0);
    // Channel: a gateway error body quoting the key (and the environment's header value), plain and --json.
    gateway.script({ kind: 'status', status: 401, message: `invalid key ${SECRETS.gatewayKey} (header ${SECRETS.header}); did you mean ${SECRETS.openai}?` });
    const failed = await cli(['run', 'triage', '-i', 'hi', '--provider', 'openai'], 1);
    expect(failed.stderr).toContain('401');
    await cli(['run', 'triage', '-i', 'hi', '--provider', 'openai', '--json'], 1);
    // An error that quotes what the user typed goes through the one error printer, text and --json.
    for (const json of [[], ['--json']]) {
      const unknown = await cli(['run', `triage-${SECRETS.github}`, '-i', 'x', ...json]);
      expect(unknown.exitCode).toBeGreaterThan(0);
      expect(unknown.stderr).toContain('triage-[REDACTED]');
    }

    for (const args of [['runs'], ['trace', 'last'], ['trace', 'last', '--json'], ['stats', '--json'], ['export', '--format', 'otlp']]) await cli(args, 0);
    await cli(['export', '--format', 'jsonl', '--out', 'export.jsonl'], 0);
    await cli(['export', '--format', 'otlp', '--out', 'export.otlp.json'], 0);
    await cli(['keys', 'generate'], 0);
    await cli(['push', 'triage@0.1.0', '--json'], 0);

    // The recorded cassette still replays (its keys are hashes of the live requests), redacted.
    const cassette = readFileSync(join(cwd, 'agents/triage/cassettes/default.yaml'), 'utf8');
    expect(cassette).toContain('[REDACTED]');
    expect(cassette).toContain('record this');

    // Zero hits: the database with its WAL, every blob, the OCI layout, cassettes, exports, every output.
    const scanned = [
      ...['registry.db', 'registry.db-wal', 'registry.db-shm'].flatMap((f) => filesUnder(join(cwd, '.agentctl')).filter((p) => p.endsWith(f))),
      ...filesUnder(join(cwd, '.agentctl/blobs')),
      ...filesUnder(join(cwd, '.agentctl/oci')),
      join(cwd, 'agents/triage/cassettes/default.yaml'),
      join(cwd, 'export.jsonl'),
      join(cwd, 'export.otlp.json'),
    ];
    expect(scanned.some((p) => p.endsWith('registry.db'))).toBe(true);
    expect(filesUnder(join(cwd, '.agentctl/oci')).length).toBeGreaterThan(0);
    const leaks: string[] = [];
    const recordedCassette = join(cwd, 'agents/triage/cassettes/default.yaml');
    for (const [kind, secret] of Object.entries(SECRETS)) {
      for (const path of scanned) {
        // The hand-planted cassette entries are the user's own file (validate warned about them); what was recorded is checked below.
        if (path === recordedCassette) continue;
        if (readFileSync(path).includes(secret)) leaks.push(`${kind} in ${path.slice(cwd.length)}`);
      }
      for (const { command, result } of outputs) {
        if (result.stdout.includes(secret)) leaks.push(`${kind} in stdout of ${command}`);
        if (result.stderr.includes(secret)) leaks.push(`${kind} in stderr of ${command}`);
      }
    }
    // Recorded entries are the ones with a key (hand-written ones match on input).
    const recorded = (parse(cassette) as { interactions: { key?: string }[] }).interactions.filter((i) => i.key !== undefined);
    expect(recorded.length).toBe(2);
    const recordedPart = JSON.stringify(recorded);
    for (const secret of [SECRETS.github, SECRETS.slack, SECRETS.urlPassword, SECRETS.gatewayKey, SECRETS.header, SECRETS.gitlab]) {
      if (recordedPart.includes(secret)) leaks.push(`${secret.slice(0, 8)}… in the recorded cassette entries`);
    }
    expect(leaks).toEqual([]);
  }, 180_000);
});
