/**
 * The rules a scaffold's answers must follow, in one place: `init`'s prompts re-ask with the rule text
 * as each answer is typed, and the flags path (`--name`, `--owner`, `--gateway`, …) refuses with the same text.
 * Each rule returns the problem with a value (the rule to show), or undefined when the value is fine.
 */
import { dnsLabel } from '../spec/schema.js';

/** Longest derived name is <name>-planner: keep every generated name a valid 63-character DNS label. */
export const MAX_NAME = 50;

export type ScaffoldRule = (value: string) => string | undefined;

const label =
  (max: number): ScaffoldRule =>
  (value) =>
    dnsLabel.safeParse(value).success && value.length <= max
      ? undefined
      : `use lowercase letters, digits and "-", starting and ending with a letter or digit (at most ${max} characters)`;

/** Agent and tool names: DNS labels short enough for the names templates derive from them. */
export const nameRule: ScaffoldRule = label(MAX_NAME);

/** Owner teams: DNS labels. */
export const teamRule: ScaffoldRule = label(63);

/** Gateway base URLs: an absolute http(s) URL, written as is into the config. */
export const gatewayUrlRule: ScaffoldRule = (value) => {
  const problem = 'enter an http:// or https:// URL, e.g. http://localhost:4000/v1';
  if (/\s/.test(value) || !URL.canParse(value)) return problem;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? undefined : problem;
};

/** Model names as gateways spell them (gpt-4o-mini, ollama/llama3.1:8b); written unquoted into YAML. */
export const modelRule: ScaffoldRule = (value) =>
  /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/.test(value) && !/:$/.test(value)
    ? undefined
    : 'enter the model name as your gateway knows it, e.g. gpt-4o-mini (letters, digits and . _ : / @ + -)';

/** The *name* of the environment variable that holds the gateway key — never the key itself. */
export const envVarRule: ScaffoldRule = (value) => {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return undefined;
  // Something long with "-" or "." (sk-…) was most likely the key itself, pasted by mistake.
  return /[-.]/.test(value) && value.length > 20
    ? 'that looks like a key: enter the NAME of the environment variable that holds it, e.g. OPENAI_API_KEY (the key is never written to disk)'
    : 'enter an environment variable name: letters, digits and "_", not starting with a digit, e.g. OPENAI_API_KEY';
};

/** What each rule is called in a refusal and which flag carries it. */
export const RULES = {
  name: { rule: nameRule, what: 'name', flag: '--name', example: 'triage', code: 'invalid-name' },
  owner: { rule: teamRule, what: 'owner team', flag: '--owner', example: 'team-qa', code: 'invalid-name' },
  gatewayUrl: { rule: gatewayUrlRule, what: 'gateway URL', flag: '--gateway', example: 'http://localhost:4000/v1', code: 'invalid-gateway-url' },
  model: { rule: modelRule, what: 'model', flag: '--model', example: 'gpt-4o-mini', code: 'invalid-model' },
  apiKeyEnv: { rule: envVarRule, what: 'key variable', flag: '--api-key-env', example: 'OPENAI_API_KEY', code: 'invalid-api-key-env' },
} as const;

/** For a prompt's `validate`: true when fine, else the rule to show under the question. */
export function promptCheck(rule: ScaffoldRule): (value: string) => true | string {
  return (value) => rule(value.trim()) ?? true;
}
