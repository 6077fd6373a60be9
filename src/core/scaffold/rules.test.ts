import { describe, expect, it } from 'vitest';
import { envVarRule, gatewayUrlRule, modelRule, nameRule, promptCheck, teamRule } from './rules.js';
import { checkScaffoldVars } from './scaffold.js';

describe('scaffold rules', () => {
  it.each([
    [nameRule, ['triage', 'a', 'help-desk-2', 'x'.repeat(50)], ['Triage', 'help_desk', '-x', 'x-', 'a/b', '..', '', 'x'.repeat(51)]],
    [teamRule, ['team-qa', 'x'.repeat(63)], ['team qa', 'Team', 'x'.repeat(64)]],
    [gatewayUrlRule, ['http://localhost:4000/v1', 'https://gw.example.com/v1'], ['localhost:4000', 'ftp://gw', 'http://', 'http://a b/v1', '']],
    [modelRule, ['gpt-4o-mini', 'ollama/llama3.1:8b', 'org/model@2024'], ['', 'gpt 4o', 'a: b', 'x:', '{gpt}']],
    [envVarRule, ['OPENAI_API_KEY', '_KEY', 'key1'], ['1KEY', 'MY-KEY', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs', '']],
  ] as const)('accepts the good and explains the bad (%#)', (rule, good, bad) => {
    for (const value of good) expect(rule(value), value).toBeUndefined();
    for (const value of bad) expect(rule(value), value).toMatch(/\w/);
  });

  it('as a prompt validate: true, or the rule text (surrounding spaces ignored like the answer)', () => {
    expect(promptCheck(nameRule)(' triage ')).toBe(true);
    expect(promptCheck(nameRule)('Triage')).toContain('lowercase letters');
  });

  it('the flags refuse with the same text and name the flag', () => {
    expect(() => checkScaffoldVars({ model: 'a: b' })).toThrow(/invalid model "a: b": enter the model name/);
    expect(() => checkScaffoldVars({ apiKeyEnv: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs' })).toThrow(/looks like a key/);
    expect(() => checkScaffoldVars({ name: 'triage', owner: 'team-qa', gatewayUrl: 'http://g/v1' })).not.toThrow();
  });
});
