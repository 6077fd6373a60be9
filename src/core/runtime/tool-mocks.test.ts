/** --record for MCP tools: answers appended to the spec file as text, comments kept, once per input. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../events/redact.js';
import { saveToolMocks } from './tool-mocks.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentctl-mocks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const head = `# my notes on this tool
apiVersion: agentctl/v1
kind: Tool
metadata: { name: weather, version: 0.1.0, owner: team }
spec:
  input: { type: object }
  sideEffects: read   # checked by hand
  implementation: { type: mcp, command: [node, s.js], tool: w }
`;

describe('saveToolMocks', () => {
  it('appends to an existing block list and keeps every byte before it', () => {
    const source = `${head}  mocks:\n    - when: { city: Oslo }\n      output: { t: 1 }\n`;
    writeFileSync(join(dir, 'tool.yaml'), source);
    const answers = [
      { tool: 'weather', dir, input: { city: 'Oslo' }, output: { t: 9 } },
      { tool: 'weather', dir, input: { city: 'Rome' }, output: { t: 20, key: 'sk-secret-value' } },
    ];
    expect(saveToolMocks(answers, createRedactor({ literals: ['sk-secret-value'] }))).toBe(1);
    const after = readFileSync(join(dir, 'tool.yaml'), 'utf8');
    expect(after.startsWith(source)).toBe(true);
    expect(after).toContain('    - when:\n        city: Rome');
    expect(after).not.toContain('sk-secret-value');
  });

  it('adds a mocks list under spec when there is none', () => {
    writeFileSync(join(dir, 'tool.yaml'), head);
    saveToolMocks([{ tool: 'weather', dir, input: { city: 'Rome' }, output: { t: 20 } }], createRedactor());
    const after = readFileSync(join(dir, 'tool.yaml'), 'utf8');
    expect(after.startsWith(head)).toBe(true);
    expect(after).toContain('  mocks:\n    - when:\n        city: Rome\n      output:\n        t: 20\n');
  });
});
