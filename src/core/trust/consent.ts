/**
 * No foreign code without consent (issue 11). Code that came with a pulled version — its `javascript`
 * assertions, its `command` and `module` tools, and those of every tool and sub-agent it resolves to —
 * runs only when (a) a key this workspace trusts *now* had signed the pulled artifact and (b) the user
 * said so with --trust-code. The developer's own code (the workspace, versions registered here) is not
 * affected; dry runs answer tools from mocks and never run their code.
 */
import { CheckFailedError } from '../errors.js';
import { datasetOf } from '../eval/evaluate.js';
import type { PulledOrigin } from '../registry/origins.js';
import type { Registry } from '../registry/registry.js';
import { keyIdOf } from '../remote/sign.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { gatewayKeyTo } from '../spec/references.js';
import type { Workspace } from '../workspace/workspace.js';

export type CodePurpose = 'eval' | 'live-run';

/** One piece of code that would run, and the version it came with. */
export interface ForeignCode {
  what: string;
  version: string;
  origin: PulledOrigin;
}

export interface ConsentInput {
  registry: Registry;
  workspace: Workspace;
  agent: AgentSnapshot;
  purpose: CodePurpose;
  /** --trust-code */
  trustCode: boolean;
  /** name → PEM: the keys trusted now (acceptedSigners: trust.yaml, config trustedKeys, own keys). */
  trustedNow: Record<string, string>;
}

/** The code a command would run that came with pulled versions (empty: nothing foreign would run). */
export function foreignCode(registry: Registry, workspace: Workspace, agent: AgentSnapshot, purpose: CodePurpose): ForeignCode[] {
  const found: ForeignCode[] = [];
  const pulled = (name: string, version: string, digest: string) => registry.origins.pullsOf(name, version, digest).at(-1);
  if (purpose === 'eval') {
    const origin = agent.source === 'registry' ? pulled(agent.name, agent.version, agent.digest) : undefined;
    const ref = agent.document.spec.evals?.dataset;
    if (origin && ref) {
      // Parsed where eval runs it (the materialized version): parseDataset drops every sample when a file is missing.
      const files = new Set(
        [...datasetOf(agent, workspace).dataset.samples].flatMap((s) => s.assert.flatMap((a) => (a.type === 'javascript' ? [a.file] : []))),
      );
      for (const file of files) found.push({ what: `the javascript assertion ${file}`, version: `${agent.name}@${agent.version}`, origin });
    }
    return found;
  }
  const seen = new Set<string>();
  const visit = (snapshot: AgentSnapshot) => {
    if (seen.has(snapshot.digest)) return;
    seen.add(snapshot.digest);
    for (const tool of Object.values(snapshot.tools)) {
      const impl = tool.spec.implementation;
      // http (and an mcp url) runs nothing here; a folder on disk is the workspace's own
      if (impl.type === 'http' || (impl.type === 'mcp' && !impl.command) || tool.dir !== undefined) continue;
      const { name, version } = tool.metadata;
      const row = registry.resolve(`${name}@${version}`);
      const origin = pulled(name, version, row.digest);
      const what =
        impl.type === 'command'
          ? `the command tool ${name} (${impl.command.join(' ')})`
          : impl.type === 'mcp'
            ? `the MCP server of tool ${name} (${(impl.command ?? []).join(' ')})`
            : `the module tool ${name} (${impl.path})`;
      if (origin) found.push({ what, version: `${name}@${version}`, origin });
    }
    for (const sub of Object.values(snapshot.subAgents)) visit(sub);
  };
  visit(agent);
  return found;
}

/** Throws a CheckFailedError naming the code, where it came from and who signed it, unless consent is given. */
export function assertCodeConsent(input: ConsentInput): void {
  const code = foreignCode(input.registry, input.workspace, input.agent, input.purpose);
  if (code.length === 0) return;
  const trustedIds = new Map(Object.entries(input.trustedNow).map(([name, pem]) => [keyIdOf(pem), name]));
  const list = code.map((c) => `${c.what} from ${c.version}`).join('; ');
  const command = input.purpose === 'eval' ? 'eval' : 'run --live';
  for (const { origin, version } of uniqueOrigins(code)) {
    const from = `pulled from ${origin.remote} (${origin.location}, manifest ${origin.manifestDigest}${origin.via === version ? '' : `, with ${origin.via}`})`;
    const signer = origin.signers.find((s) => trustedIds.has(s.keyId));
    if (!signer) {
      const was = origin.signers.map((s) => `${s.keyName} (${s.keyId})`).join(', ');
      throw new CheckFailedError(
        `refusing to ${command} ${input.agent.name}@${input.agent.version}: it would run code that came with a pulled version — ${list}. ${version} was ${from}, and ${
          was ? `its signers (${was}) are no longer trusted here` : 'nobody this workspace trusts signed it'
        }; nothing ran`,
        {
          where: `${version} (${origin.remote})`,
          fix: `read the code first; if you trust its signer, add the key (agentctl trust add <team> <key.pub>, or trustedKeys in .agentctl/config.yaml), pull ${origin.via} again, and pass --trust-code`,
          code: 'untrusted-code',
        },
      );
    }
    if (!input.trustCode) {
      throw new CheckFailedError(
        `refusing to ${command} ${input.agent.name}@${input.agent.version} without --trust-code: it would run code that came with a pulled version — ${list}. ${version} was ${from}, signed by ${trustedIds.get(signer.keyId)} (key ${signer.keyId}), trusted here; nothing ran`,
        { where: `${version} (${origin.remote})`, fix: `read the code, then pass --trust-code to let it run`, code: 'code-needs-consent' },
      );
    }
  }
}

/** A live run refuses a command tool (anywhere in the agent's tree) that declares the gateway key's variable. */
export function assertNoGatewayKeyToTools(agent: AgentSnapshot, apiKeyEnv: string): void {
  const keyEnvs = ['AGENTCTL_GATEWAY_KEY', apiKeyEnv];
  const visit = (snapshot: AgentSnapshot, seen: Set<string>): void => {
    if (seen.has(snapshot.digest)) return;
    seen.add(snapshot.digest);
    for (const tool of Object.values(snapshot.tools)) {
      const impl = tool.spec.implementation;
      const names = impl.type === 'command' || impl.type === 'mcp' ? gatewayKeyTo(impl.env, keyEnvs) : [];
      if (names.length > 0) {
        throw new CheckFailedError(
          `a tool may not receive the gateway key: ${tool.metadata.name}@${tool.metadata.version} declares env.${names.join(', env.')}; nothing ran`,
          {
            where: `${tool.metadata.name}@${tool.metadata.version} spec.implementation.env`,
            fix: 'remove it from the tool; give the tool a credential of its own under another variable name',
            code: 'gateway-key-to-tool',
          },
        );
      }
    }
    for (const sub of Object.values(snapshot.subAgents)) visit(sub, seen);
  };
  visit(agent, new Set());
}

function uniqueOrigins(code: ForeignCode[]): ForeignCode[] {
  const seen = new Set<string>();
  return code.filter((c) => !seen.has(c.version) && seen.add(c.version));
}
