/** Extra gateway headers from the config, with `${NAME}` references read from the environment. */
import { EnvironmentError } from '../errors.js';

export interface ResolvedHeaders {
  headers: Record<string, string>;
  /** Values that came from the environment (and the headers holding them): redacted like the key. */
  secrets: string[];
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Resolves `${NAME}` in header values. A value with a reference is a secret, whole (e.g. `Bearer ${TOKEN}`
 * as well as the token); literal values such as `x-portkey-provider: openai` are configuration, not secrets.
 */
export function resolveGatewayHeaders(configured: Record<string, string>, env: NodeJS.ProcessEnv): ResolvedHeaders {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, template] of Object.entries(configured)) {
    let fromEnv = false;
    const value = template.replace(REFERENCE, (_, variable: string) => {
      const found = env[variable];
      if (found === undefined || found === '') {
        throw new EnvironmentError(`gateway header ${name} needs the environment variable ${variable}, which is not set`, {
          where: `gateway.headers.${name}`,
          fix: `export ${variable}=… (or remove the header from gateway.headers in .agentctl/config.yaml)`,
          code: 'missing-env',
        });
      }
      fromEnv = true;
      secrets.push(found);
      return found;
    });
    headers[name] = value;
    if (fromEnv && value !== secrets.at(-1)) secrets.push(value);
  }
  return { headers, secrets };
}
