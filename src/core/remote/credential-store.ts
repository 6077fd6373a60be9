/**
 * Logins kept between commands: one file per registry host in the user config folder
 * (`$XDG_CONFIG_HOME/agentctl/credentials/<host>.json`), mode 0600 in a 0700 folder, written whole
 * (temp file + rename) so a crash never leaves half a file. A login holds the OAuth2 refresh token,
 * never the password, and is never inside a workspace, where it could be committed or pushed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { userConfigPath } from '../workspace/user-config.js';

export interface StoredLogin {
  /** host[:port] of the registry, the file's key. */
  host: string;
  /** The remote name login was run with (for messages). */
  remote: string;
  username: string;
  realm: string;
  service?: string | undefined;
  refreshToken: string;
  savedAt: string;
}

export function credentialsDir(env: NodeJS.ProcessEnv): string {
  return join(dirname(userConfigPath(env)), 'credentials');
}

export function loginPath(host: string, env: NodeJS.ProcessEnv): string {
  // ':' is not allowed in Windows file names and reads badly in shells.
  return join(credentialsDir(env), `${host.replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
}

/** The login for `host`, or undefined; a file that is not a login is treated as none. */
export function loadLogin(host: string, env: NodeJS.ProcessEnv): StoredLogin | undefined {
  const path = loginPath(host, env);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredLogin>;
    return typeof parsed.refreshToken === 'string' && typeof parsed.realm === 'string' ? (parsed as StoredLogin) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the login with mode 0600. Refuses when the user config folder lies inside `workspaceRoot`
 * (XDG_CONFIG_HOME pointed into the project), since the refresh token would then travel with it.
 */
export function saveLogin(login: StoredLogin, env: NodeJS.ProcessEnv, workspaceRoot?: string): string {
  const path = loginPath(login.host, env);
  if (workspaceRoot && isInside(path, workspaceRoot)) {
    throw new EnvironmentError(`will not store the login for ${login.remote} inside the workspace (${path})`, {
      where: workspaceRoot,
      fix: 'point XDG_CONFIG_HOME at a folder outside the workspace (the default is ~/.config), then agentctl login again',
      code: 'credentials-in-workspace',
    });
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to a folder it creates: one made earlier (by hand, or by an older agentctl) is tightened too.
  chmodSync(dirname(path), 0o700);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // mode applies only when the file is created; a stale temp file from a crash keeps its own.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}

/** Forgets the login for `host`; false when there was none. */
export function removeLogin(host: string, env: NodeJS.ProcessEnv): boolean {
  const path = loginPath(host, env);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}
