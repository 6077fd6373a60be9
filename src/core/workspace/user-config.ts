/** Where the user's own config lives: a module of its own so that finding it loads no YAML or schema. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'agentctl', 'config.yaml');
}

/** The cap on a config file (the same as on a spec): anything bigger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
