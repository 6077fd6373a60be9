import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import { parseSpecSource } from './load.js';
import { validateWorkspace } from './validate.js';

const validate = (root: string, paths: string[] = []) => validateWorkspace({ root, cwd: root, paths, defaultPolicy: 'default' });

function codes(root: string, paths: string[] = []) {
  return validate(root, paths).diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`);
}

describe('schema checks', () => {
  const agent = (spec: string) => `apiVersion: agentctl/v1\nkind: Agent\nmetadata:\n  name: a\n  version: 0.1.0\n  owner: team-qa\nspec:\n${spec}`;

  it('names an unknown key at its line:col with a did-you-mean', () => {
    const loaded = parseSpecSource(agent('  model: { ref: m }\n  prompt: { ref: p.md }\n  tols: []\n'), '/x/agent.yaml', 'agent.yaml');
    expect(loaded.diagnostics).toHaveLength(1);
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'unknown-key', line: 10, col: 3, path: 'spec.tols' });
    expect(loaded.diagnostics[0]?.message).toContain('did you mean "tools"');
  });

  it('says what type was expected and what it got', () => {
    const loaded = parseSpecSource(agent('  model: { ref: m }\n  prompt: { ref: p.md }\n  budget: { maxSteps: "eight" }\n'), '/x/agent.yaml', 'agent.yaml');
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'wrong-type', line: 10, path: 'spec.budget.maxSteps' });
    expect(loaded.diagnostics[0]?.message).toMatch(/expected number, got string "eight"/);
  });

  it('reports a missing required key at the parent mapping', () => {
    const loaded = parseSpecSource(agent('  model: { ref: m }\n'), '/x/agent.yaml', 'agent.yaml');
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'missing-key', line: 8, path: 'spec.prompt' });
    expect(loaded.diagnostics[0]?.fix).toContain('add "prompt:"');
  });

  it('suggests the closest allowed value', () => {
    const tool = `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: t, version: 0.1.0, owner: q }\nspec:\n  input: {}\n  sideEffects: reed\n  implementation: { type: command, command: [x] }\n`;
    const loaded = parseSpecSource(tool, '/x/tool.yaml', 'tool.yaml');
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'invalid-value', line: 6 });
    expect(loaded.diagnostics[0]?.message).toContain('did you mean "read"');
  });

  it('refuses an unknown kind with a suggestion', () => {
    const loaded = parseSpecSource('apiVersion: agentctl/v1\nkind: Agnet\n', '/x/a.yaml', 'a.yaml');
    expect(loaded.diagnostics[0]).toMatchObject({ code: 'unknown-kind', line: 2, col: 7 });
    expect(loaded.diagnostics[0]?.message).toContain('did you mean "Agent"');
  });
});

describe('validateWorkspace', () => {
  it('passes every scaffolded template', () => {
    for (const template of ['basic', 'main-sub', 'tool']) {
      const report = validate(scaffoldWorkspace(template));
      expect(report.diagnostics, template).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it('reports a missing prompt file, a dangling tool ref and a bad range in one pass', () => {
    const root = scaffoldWorkspace('basic');
    writeFile(
      root,
      'agents/triage/agent.yaml',
      `apiVersion: agentctl/v1
kind: Agent
metadata: { name: triage, version: 0.1.0, owner: team-qa }
spec:
  model: { ref: gpt-4o-mini }
  prompt: { ref: prompts/v2/system.md }
  tools:
    - ref: triage-lokup@^0.1.0
    - ref: triage-lookup@^2.0.0
    - ref: triage-lookup@not-a-range
`,
    );
    const found = codes(root);
    expect(found).toEqual([
      'agents/triage/agent.yaml:6:18 missing-file',
      'agents/triage/agent.yaml:8:12 dangling-ref',
      'agents/triage/agent.yaml:9:12 unsatisfied-range',
      'agents/triage/agent.yaml:10:12 invalid-range',
    ]);
    const dangling = validate(root).diagnostics.find((d) => d.code === 'dangling-ref');
    expect(dangling?.message).toContain('did you mean "triage-lookup"');
  });

  it('finds a sub-agent cycle', () => {
    const root = scaffoldWorkspace('main-sub');
    const path = 'agents/triage-planner/agent.yaml';
    writeFile(
      root,
      path,
      `apiVersion: agentctl/v1
kind: Agent
metadata: { name: triage-planner, version: 0.1.0, owner: team-qa }
spec:
  model: { ref: gpt-4o-mini }
  prompt: { ref: prompts/v1/system.md }
  subAgents:
    - ref: triage@^0.1.0
`,
    );
    const report = validate(root);
    const cycles = report.diagnostics.filter((d) => d.code === 'subagent-cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.message).toMatch(/triage.*→.*triage-planner.*→.*triage|triage-planner → triage → triage-planner/);
  });

  it('lints policy: a denied tool and a model outside the allow list', () => {
    const root = scaffoldWorkspace('basic');
    writeFile(
      root,
      'policies/strict.yaml',
      `apiVersion: agentctl/v1
kind: Policy
metadata: { name: strict, version: 0.1.0, owner: team-qa }
spec:
  appliesTo: { teams: [team-qa] }
  rules:
    - { action: tool.call, effect: deny, resources: ["*-lookup"], reason: no lookups }
    - { action: model.use, effect: allow, resources: ["claude-*"] }
`,
    );
    const denied = validate(root).diagnostics.filter((d) => d.code === 'policy-denied');
    expect(denied.map((d) => d.path).sort()).toEqual(['spec.model.ref', 'spec.tools[0].ref']);
    expect(denied.find((d) => d.path === 'spec.tools[0].ref')?.message).toContain('no lookups');
  });

  it('lints agent.call: a sub-agent ref a governing policy denies, by name or by team/name', () => {
    const root = scaffoldWorkspace('main-sub');
    writeFile(
      root,
      'policies/routing.yaml',
      `apiVersion: agentctl/v1
kind: Policy
metadata: { name: routing, version: 0.1.0, owner: team-qa }
spec:
  appliesTo: { agents: [triage] }
  rules:
    - { action: agent.call, effect: deny, resources: ["team-qa/*-writer"], reason: writers are another team's }
    - { action: agent.call, effect: deny, resources: ["team-other/*"] }
`,
    );
    const denied = validate(root).diagnostics.filter((d) => d.code === 'policy-denied');
    expect(denied.map((d) => `${d.file} ${d.path}`)).toEqual(['agents/triage/agent.yaml spec.subAgents[1].ref']);
    expect(denied[0]?.message).toContain('sub-agent "team-qa/triage-writer"');
  });

  it('refuses file refs that escape the workspace, including through a symlink', () => {
    const root = scaffoldWorkspace('basic');
    const outside = scaffoldWorkspace('basic');
    symlinkSync(join(outside, 'agents'), join(root, 'agents/triage/linked'));
    const spec = 'agents/triage/agent.yaml';
    writeFile(
      root,
      spec,
      `apiVersion: agentctl/v1
kind: Agent
metadata: { name: triage, version: 0.1.0, owner: team-qa }
spec:
  model: { ref: gpt-4o-mini }
  prompt: { ref: ../../../etc/passwd }
  knowledge:
    - ref: /etc/hostname
    - ref: linked/triage/prompts/v1/system.md
`,
    );
    expect(codes(root)).toEqual([
      'agents/triage/agent.yaml:6:18 path-escape',
      'agents/triage/agent.yaml:8:12 absolute-path',
      'agents/triage/agent.yaml:9:12 path-escape',
    ]);
  });

  it('validates only the paths asked for, while resolving refs against the whole workspace', () => {
    const root = scaffoldWorkspace('basic');
    writeFile(root, 'tools/triage-lookup/tool.yaml', 'apiVersion: agentctl/v1\nkind: Tool\n');
    const report = validate(root, ['agents/triage']);
    expect(report.files.map((f) => f.file)).toEqual(['agents/triage/agent.yaml']);
    // The broken tool cannot satisfy the agent's ref, and that is reported on the agent.
    expect(report.diagnostics.map((d) => d.code)).toEqual(['dangling-ref']);
  });

  it('refuses two specs with the same name', () => {
    const root = scaffoldWorkspace('basic');
    writeFile(
      root,
      'tools/copy/tool.yaml',
      `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: triage, version: 0.1.0, owner: team-qa }\nspec:\n  input: {}\n  sideEffects: none\n  implementation: { type: command, command: [x] }\n`,
    );
    expect(codes(root)).toContain('tools/copy/tool.yaml:3:19 duplicate-name');
  });
});

describe('command tools and the gateway key', () => {
  const tool = (env: string) =>
    `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: leaky, version: 0.1.0, owner: team-qa }\nspec:\n  input: {}\n  sideEffects: read\n  implementation:\n    type: command\n    command: [node, leak.mjs]\n    env: ${env}\n`;

  it('refuses a tool that would receive the gateway key, by its name or passed through under another', () => {
    const root = scaffoldWorkspace('basic');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
    writeFile(root, 'tools/leaky/tool.yaml', tool('{ AGENTCTL_GATEWAY_KEY: "${AGENTCTL_GATEWAY_KEY}", K: "${AGENTCTL_GATEWAY_KEY}", OK: "${HOME}" }'));
    const found = validate(root).diagnostics.filter((d) => d.code === 'gateway-key-to-tool');
    expect(found.map((d) => d.path)).toEqual(['spec.implementation.env.AGENTCTL_GATEWAY_KEY', 'spec.implementation.env.K']);
    expect(found[0]?.message).toContain('a tool may not receive the gateway key');
  });

  it("knows the workspace's own gateway.apiKeyEnv", () => {
    const root = scaffoldWorkspace('basic');
    writeFile(root, '.agentctl/config.yaml', 'gateway:\n  apiKeyEnv: OUR_GATEWAY\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
    writeFile(root, 'tools/leaky/tool.yaml', tool('{ TOKEN: "${OUR_GATEWAY}" }'));
    expect(codes(root).filter((c) => c.includes('gateway-key'))).toEqual(['tools/leaky/tool.yaml:10:19 gateway-key-to-tool']);
  });
});

describe('referenced data files', () => {
  it('checks the cassette, with errors at its own file:line:col', () => {
    const root = scaffoldWorkspace('basic');
    writeFile(root, 'agents/triage/cassettes/default.yaml', 'version: 1\ninteractions:\n  - match: { input: hi }\n    responses:\n      - content: a: b\n');
    expect(codes(root)).toEqual(['agents/triage/cassettes/default.yaml:5:18 yaml-syntax']);
    writeFile(root, 'agents/triage/cassettes/default.yaml', 'version: 1\ninteractions:\n  - match: { input: hi }\n    responses: []\n');
    expect(codes(root)).toEqual(['agents/triage/cassettes/default.yaml:4:16 out-of-range']);
  });
});
