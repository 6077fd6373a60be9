/**
 * pull verifies what it asked for, against attacks on what a registry (or a layout) lets any writer do:
 * a moved version tag, a referrer about another manifest, a copy without referrers (skopeo), a referrers
 * index that lost artifactType. Against the real CNCF registry and an OCI image layout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { hasRegistry, type RunningRegistry, startRegistry } from '../support/oci-registry.js';
import { tempDir, writeFile } from '../support/workspace.js';

const hasSkopeo = spawnSync('skopeo', ['--version']).status === 0;
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const sha = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const REF_NAME = 'org.opencontainers.image.ref.name';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

type Ctx = { cwd: string; env: Record<string, string> };
interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const ok = async (args: string[], ctx: Ctx) => {
  const r = await agentctl(args, ctx);
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** triage@0.1.0 and 0.2.0, both in canary and pushed to `remote`, signed by alice. */
async function publisher(remote?: string): Promise<Ctx & { publicKey: string; manifests: Record<string, string> }> {
  const cwd = tempDir();
  const ctx = { cwd, env: { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'alice' } };
  await ok(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], ctx);
  await ok(['keys', 'generate'], ctx);
  if (remote) await ok(['remote', 'add', 'team', remote], ctx);
  const manifests: Record<string, string> = {};
  for (const version of ['0.1.0', '0.2.0']) {
    const spec = join(cwd, 'agents/triage/agent.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/version: 0\.\d\.0/, `version: ${version}`));
    await ok(['register', 'agents/triage'], ctx);
    await ok(['promote', `triage@${version}`, '--to', 'dev', '--with-deps'], ctx);
    await ok(['promote', `triage@${version}`, '--to', 'canary', '--with-deps'], ctx);
    manifests[version] = json(await ok(['push', `triage@${version}`, ...(remote ? ['--remote', 'team'] : []), '--json'], ctx)).manifestDigest;
  }
  return { ...ctx, publicKey: readFileSync(join(cwd, '.xdg/agentctl/keys/default.pub'), 'utf8'), manifests };
}

/** Another team's workspace that trusts alice's key and knows the remote as `team` (and `copy`). */
async function consumer(publicKey: string, remotes: Record<string, string>): Promise<Ctx> {
  const cwd = tempDir();
  const ctx = { cwd, env: { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'bob' } };
  const key = publicKey
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  writeFile(cwd, '.agentctl/config.yaml', `team: team-ops\ntrustedKeys:\n  alice: |\n${key}\n`);
  for (const [name, url] of Object.entries(remotes)) await ok(['remote', 'add', name, url], ctx);
  return ctx;
}

const registered = async (ctx: Ctx) => json(await ok(['list', '--json'], ctx)) as unknown[];

describe('file:// remote (OCI image layout)', () => {
  it('refuses a moved version tag and a referrer about another manifest; verifies an index that lost artifactType', async () => {
    const a = await publisher();
    const layout = join(a.cwd, '.agentctl/oci/triage');
    const indexPath = join(layout, 'index.json');
    const original = readFileSync(indexPath, 'utf8');
    const index = () => JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: Descriptor[] };
    const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
    const putBlob = (bytes: Buffer) => {
      writeFileSync(join(layout, 'blobs/sha256', sha(bytes).slice(7)), bytes);
      return { digest: sha(bytes), size: bytes.length };
    };
    const retag = (tag: string, descriptor: Descriptor) => {
      const i = index();
      i.manifests = [...i.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag), { ...descriptor, annotations: { [REF_NAME]: tag } }];
      writeFileSync(indexPath, JSON.stringify(i));
    };
    const tagged = (tag: string) => index().manifests.find((m) => m.annotations?.[REF_NAME] === tag) as Descriptor;
    const referrersOf = (version: string) =>
      (JSON.parse(blob(tagged(`sha256-${a.manifests[version]?.slice(7)}`).digest).toString()) as { manifests: Descriptor[] }).manifests;
    const b = await consumer(a.publicKey, { team: `file://${join(a.cwd, '.agentctl/oci')}` });

    // A writer moves the 0.2.0 tag to 0.1.0's manifest.
    retag('0.2.0', { ...tagged('0.1.0') });
    const moved = await agentctl(['pull', 'team/triage@0.2.0', '--verify'], b);
    expect(moved.exitCode).toBe(1);
    expect(moved.stderr).toContain('refusing to pull triage@0.2.0: the tag 0.2.0 on team points at triage@0.1.0: the tag was moved');
    expect(await registered(b)).toEqual([]);

    // 0.2.0's referrers index lists 0.1.0's signed evidence too.
    writeFileSync(indexPath, original);
    const foreign = {
      mediaType: INDEX,
      ...putBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [...referrersOf('0.2.0'), ...referrersOf('0.1.0')] }))),
    };
    retag(`sha256-${a.manifests['0.2.0']?.slice(7)}`, foreign);
    const attached = await agentctl(['pull', 'team/triage@0.2.0', '--verify'], b);
    expect(attached.exitCode).toBe(1);
    expect(attached.stderr).toContain('is about another manifest');
    expect(attached.stderr).toContain(`not ${a.manifests['0.2.0']}`);
    expect(await registered(b)).toEqual([]);

    // A copy kept only the tags (no untagged referrers in index.json), and its referrers index lost
    // artifactType and annotations: the referrer's own manifest still says what it is.
    writeFileSync(indexPath, original);
    const bare = referrersOf('0.1.0').map(({ mediaType, digest, size }) => ({ mediaType, digest, size }));
    const stripped = { mediaType: INDEX, ...putBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: bare }))) };
    retag(`sha256-${a.manifests['0.1.0']?.slice(7)}`, stripped);
    writeFileSync(indexPath, JSON.stringify({ ...index(), manifests: index().manifests.filter((m) => m.annotations?.[REF_NAME]) }));
    const pulled = await agentctl(['pull', 'team/triage@0.1.0', '--verify'], b);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain('signed by alice');
  });
});

describe.skipIf(!hasRegistry)('oci:// remote, the real distribution registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  const v2 = (repo: string, path: string) => `http://${registry.host}/v2/${repo}/${path}`;
  const getManifest = async (repo: string, ref: string) => {
    const r = await fetch(v2(repo, `manifests/${ref}`), { headers: { accept: `${MANIFEST}, ${INDEX}` } });
    expect(r.status, `${repo}:${ref}`).toBe(200);
    return Buffer.from(await r.arrayBuffer());
  };
  const putManifest = async (repo: string, ref: string, bytes: Buffer, mediaType: string) => {
    const r = await fetch(v2(repo, `manifests/${ref}`), { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } });
    expect(r.status, await r.text()).toBe(201);
  };
  const referrersOf = async (repo: string, digest: string) =>
    (JSON.parse((await getManifest(repo, `sha256-${digest.slice(7)}`)).toString()) as { manifests: Descriptor[] }).manifests;

  it('refuses a referrer about another manifest and a moved version tag', async () => {
    const a = await publisher(registry.url.replace('/agents', '/attacked'));
    const b = await consumer(a.publicKey, { team: registry.url.replace('/agents', '/attacked') });
    const repo = 'attacked/triage';
    const [one, two] = [a.manifests['0.1.0'] as string, a.manifests['0.2.0'] as string];

    const mixed = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [...(await referrersOf(repo, two)), ...(await referrersOf(repo, one))] }),
    );
    await putManifest(repo, `sha256-${two.slice(7)}`, mixed, INDEX);
    const attached = await agentctl(['pull', 'team/triage@0.2.0', '--verify'], b);
    expect(attached.exitCode).toBe(1);
    expect(attached.stderr).toContain('is about another manifest');
    expect(await registered(b)).toEqual([]);

    await putManifest(repo, '0.2.0', await getManifest(repo, one), MANIFEST);
    const moved = await agentctl(['pull', 'team/triage@0.2.0', '--verify', '--json'], b);
    expect(moved.exitCode).toBe(1);
    expect(moved.stderr).toContain('the tag 0.2.0 on team points at triage@0.1.0: the tag was moved');
    expect(JSON.parse(moved.stderr).error).toMatchObject({ code: 'not-that-version', exitCode: 1 });
    expect(await registered(b)).toEqual([]);
  });

  it.skipIf(!hasSkopeo)('a skopeo copy without referrers is reported as such; a referrers index without artifactType still verifies', async () => {
    const a = await publisher(registry.url.replace('/agents', '/origin'));
    const one = a.manifests['0.1.0'] as string;
    execFileSync(
      'skopeo',
      [
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${registry.host}/origin/triage:0.1.0`,
        `docker://${registry.host}/copied/triage:0.1.0`,
      ],
      { stdio: 'pipe' },
    );
    const b = await consumer(a.publicKey, { copy: registry.url.replace('/agents', '/copied') });
    const bare = await agentctl(['pull', 'copy/triage@0.1.0', '--verify'], b);
    expect(bare.exitCode).toBe(1);
    expect(bare.stderr).toContain('no signed evidence was found for triage@0.1.0 on copy');
    expect(bare.stderr).toContain('the signature was not copied with the artifact');
    expect(bare.stderr).toContain('skopeo copy --all');
    expect(await registered(b)).toEqual([]);

    // Copy the referrer by hand, and index it the way some tools do: no artifactType, no annotations.
    const [referrer] = await referrersOf('origin/triage', one);
    const manifest = await getManifest('origin/triage', (referrer as Descriptor).digest);
    const body = JSON.parse(manifest.toString()) as { config: Descriptor; layers: Descriptor[] };
    for (const d of [body.config, ...body.layers]) {
      const r = await fetch(v2('copied/triage', `blobs/uploads/?mount=${d.digest}&from=origin/triage`), { method: 'POST' });
      expect(r.status).toBe(201);
    }
    await putManifest('copied/triage', (referrer as Descriptor).digest, manifest, MANIFEST);
    const index = { schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: MANIFEST, digest: sha(manifest), size: manifest.length }] };
    await putManifest('copied/triage', `sha256-${one.slice(7)}`, Buffer.from(JSON.stringify(index)), INDEX);
    const pulled = await agentctl(['pull', 'copy/triage@0.1.0', '--verify'], b);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain('signed by alice');
    const ls = json(await ok(['remote', 'ls', 'copy', 'triage', '--json'], b));
    expect(ls).toEqual([expect.objectContaining({ version: '0.1.0', signers: [expect.stringMatching(/^sha256:/)] })]);
  });
});
