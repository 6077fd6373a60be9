/**
 * The scaffolded CI's flow on this machine: a fresh checkout (no registry.db, no keys folder) evaluates
 * against the version that holds prod on a file:// remote, writes JUnit, and attaches its signed evidence
 * (CI key from AGENTCTL_SIGNING_KEY_PEM) to the published version, where a later pull --verify sees it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/core/remote/sign.js';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

const ok = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
  const r = await agentctl(args, { cwd, env });
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** A team workspace whose triage@0.1.0 holds prod on the remote and 0.2.0 is published at dev; both signed. */
async function team(remoteDir: string) {
  const cwd = tempDir();
  const env = { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'alice' };
  await ok(cwd, ['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa'], env);
  // Prod on validation alone here: the eval and approval gates are tested elsewhere.
  const policy = join(cwd, 'policies/default.yaml');
  writeFileSync(policy, readFileSync(policy, 'utf8').replace(/ {4}prod:\n(?: {6}.*\n)+/, '    prod:\n      validated: true\n'));
  await ok(cwd, ['remote', 'add', 'team', `file://${remoteDir}`], env);
  await ok(cwd, ['keys', 'generate'], env);
  await ok(cwd, ['register', 'agents/triage'], env);
  for (const stage of ['dev', 'canary', 'prod']) await ok(cwd, ['promote', 'triage@0.1.0', '--to', stage, '--with-deps'], env);
  await ok(cwd, ['push', 'triage@0.1.0', '--remote', 'team'], env);
  const agent = join(cwd, 'agents/triage/agent.yaml');
  writeFileSync(agent, readFileSync(agent, 'utf8').replace('version: 0.1.0', 'version: 0.2.0'));
  await ok(cwd, ['register', 'agents/triage'], env);
  await ok(cwd, ['promote', 'triage@0.2.0', '--to', 'dev'], env);
  await ok(cwd, ['push', 'triage@0.2.0', '--remote', 'team'], env);
  return { cwd, publicKey: readFileSync(join(cwd, '.xdg/agentctl/keys/default.pub'), 'utf8') };
}

/** What a CI runner gets: the committed files only (no registry.db, blobs or layout), trusting the team's key. */
function checkout(from: string, remoteDir: string, trusted: Record<string, string>): string {
  const cwd = tempDir();
  for (const path of ['agents', 'tools', 'policies']) cpSync(join(from, path), join(cwd, path), { recursive: true });
  const keys = Object.entries(trusted).map(([name, pem]) => `  ${name}: |\n${pem.trim().replace(/^/gm, '    ')}\n`);
  writeFile(
    cwd,
    '.agentctl/config.yaml',
    `team: team-qa\ndefaultPolicy: default\nremotes:\n  team: file://${remoteDir}\ntrustedKeys:${keys.length ? `\n${keys.join('')}` : ' {}\n'}`,
  );
  return cwd;
}

function ciKey(): { pem: string; keyId: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId: keyIdOf(publicPem), publicPem };
}

/** The referrers of a manifest in an OCI image layout: the index under its sha256-<hex> fallback tag. */
function referrers(layout: string, manifestDigest: string): { digest: string; annotations: Record<string, string> }[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const tag = manifestDigest.replace(':', '-');
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name']?.endsWith(tag));
  if (!entry) return [];
  const blob = join(layout, 'blobs', ...entry.digest.split(':'));
  return (JSON.parse(readFileSync(blob, 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] }).manifests;
}

describe('CI on a fresh checkout', () => {
  it('evals against the remote prod, writes JUnit, attaches evidence signed by the CI key that pull --verify accepts', async () => {
    const remoteDir = join(tempDir(), 'oci');
    const { cwd: dev, publicKey } = await team(remoteDir);
    const key = ciKey();
    const ci = checkout(dev, remoteDir, { alice: publicKey });
    const env = { XDG_CONFIG_HOME: join(ci, '.ci-home'), AGENTCTL_USER: 'ci', AGENTCTL_SIGNING_KEY_PEM: key.pem };
    expect(existsSync(join(ci, '.agentctl/registry.db'))).toBe(false);
    mkdirSync(join(ci, 'reports')); // as the scaffolded CI does

    const evaluated = await ok(ci, ['eval', '--all', '--junit', 'reports/junit.xml', '--md', 'reports/eval.md', '--baseline', 'team/*@prod', '--json'], env);
    expect(evaluated.stderr).toContain('baseline triage@0.1.0: pulled from the remote');
    const report = JSON.parse(evaluated.stdout) as { version: string; comparison: { baselineRef: string } | null; gate: { passed: boolean } };
    expect(report).toMatchObject({ version: '0.2.0', comparison: { baselineRef: 'triage@0.1.0' }, gate: { passed: true } });
    expect(readFileSync(join(ci, 'reports/junit.xml'), 'utf8')).toMatch(/<testsuite name="triage@0.2.0" tests="\d+"/);
    expect(readFileSync(join(ci, 'reports/eval.md'), 'utf8')).toContain('Against triage@0.1.0');

    const attested = await ok(ci, ['attest', 'triage', '--remote', 'team', '--json'], env);
    const result = JSON.parse(attested.stdout) as { manifestDigest: string; signer: string; attestation: string; evalId: string };
    expect(result).toMatchObject({ signer: key.keyId, attestation: 'created' });
    expect(attested.stdout + attested.stderr).not.toContain('PRIVATE KEY');
    const signers = referrers(join(remoteDir, 'triage'), result.manifestDigest).map((r) => r.annotations['dev.agentctl.signer']);
    expect(signers).toContain(key.keyId);
    expect(signers).toHaveLength(2);
    // Attesting the same evidence again adds nothing.
    expect(JSON.parse((await ok(ci, ['attest', 'triage', '--remote', 'team', '--json'], env)).stdout).attestation).toBe('unchanged');

    // A reviewer who trusts only the CI key verifies the version by CI's evidence.
    const reviewer = checkout(dev, remoteDir, { ci: key.publicPem });
    const pulled = await ok(reviewer, ['pull', 'team/triage@0.2.0', '--verify'], { XDG_CONFIG_HOME: join(reviewer, '.xdg') });
    expect(pulled.stdout).toContain('signed by ci');
  });

  it('says when there is no baseline, fails where one is required, and refuses to attest an unpublished version', async () => {
    const remoteDir = join(tempDir(), 'empty-oci');
    const dev = tempDir();
    await ok(dev, ['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa']);
    const ci = checkout(dev, remoteDir, {});
    const env = { XDG_CONFIG_HOME: join(ci, '.ci-home'), AGENTCTL_SIGNING_KEY_PEM: ciKey().pem };
    const first = await ok(ci, ['eval', 'triage', '--baseline', 'team/triage@prod', '--md', 'eval.md'], env);
    expect(first.stdout).toContain('no baseline: regressions were not checked');
    expect(first.stdout).not.toContain('no regressions)');
    expect(readFileSync(join(ci, 'eval.md'), 'utf8')).toContain('no baseline: regressions were not checked');

    const agent = join(ci, 'agents/triage/agent.yaml');
    writeFileSync(agent, readFileSync(agent, 'utf8').replace('noRegressions: true }', 'noRegressions: true, requireBaseline: true }'));
    const strict = await agentctl(['eval', 'triage', '--baseline', 'team/triage@prod'], { cwd: ci, env });
    expect(strict.exitCode, strict.stderr).toBe(1);
    expect(strict.stdout).toContain('the gate requires one: pass --baseline <remote>/triage@prod');

    const attest = await agentctl(['attest', 'triage', '--remote', 'team'], { cwd: ci, env });
    expect(attest.exitCode).toBe(1);
    expect(attest.stderr).toContain('is not on team');
    expect(attest.stderr).toContain('agentctl push triage@0.1.0 --remote team');
  });
});
