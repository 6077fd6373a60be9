/** login / logout: a remote's token service, a refresh token kept in the user config folder. */
import { UsageError } from '../../core/errors.js';
import { envKey, login, logout } from '../../core/remote/login.js';
import { registryTimeoutMs, resolveRemote } from '../../core/remote/open.js';
import { parseRemoteUrl, type RemoteLocation } from '../../core/remote/url.js';
import { createCancellation, SIGNAL_EXIT_CODES } from '../../core/session/cancel.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { askSecret, enquirerPrompter } from '../prompts.js';
import { workspaceOf } from '../workspace.js';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export async function loginCommand(ctx: CliContext, remote: string, options: LoginOptions): Promise<number> {
  const { name, location, root } = locate(ctx, remote);
  const key = envKey(name);
  const username = options.username ?? ctx.env[`AGENTCTL_REMOTE_${key}_USER`] ?? (ctx.interactive ? await enquirerPrompter.askText('Username') : undefined);
  if (!username) throw new UsageError(`no username for ${name}`, { fix: `agentctl login ${name} --username <user>`, code: 'login-username' });
  const secret = await secretFor(ctx, name, username, options);
  const cancellation = createCancellation({ trap: true });
  try {
    const result = await login({
      name,
      location,
      username,
      secret,
      env: ctx.env,
      workspaceRoot: root,
      timeoutMs: registryTimeoutMs(ctx.env),
      signal: cancellation.signal,
    });
    if (options.json) printJson(ctx, result);
    else {
      printLine(ctx, `${out.green('✓')} logged in to ${name} (${result.host}) as ${result.subject}`);
      printLine(
        ctx,
        `  access tokens from ${result.realm}, this one until ${result.accessTokenExpiresAt}; renewed silently until you log out or the login is revoked`,
      );
      printLine(ctx, `  login kept in ${result.credentialFile} (mode 600; the password is not stored)`);
    }
    return 0;
  } catch (error) {
    const by = cancellation.stoppedBy;
    if (!by) throw error;
    note(ctx, `login stopped (${by === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}): nothing was stored`);
    return SIGNAL_EXIT_CODES[by];
  } finally {
    cancellation.dispose();
  }
}

export async function logoutCommand(ctx: CliContext, remote: string, options: { json?: boolean }): Promise<number> {
  const { name, location } = locate(ctx, remote);
  const result = logout(name, location, ctx.env);
  if (options.json) printJson(ctx, result);
  else if (result.removed) printLine(ctx, `${out.green('✓')} logged out of ${name}: removed ${result.credentialFile}`);
  else note(ctx, `not logged in to ${name}: nothing to remove`);
  return 0;
}

/** --password-stdin, then AGENTCTL_REMOTE_<NAME>_TOKEN (a token as the password), then _PASSWORD, then a prompt on a terminal. */
async function secretFor(ctx: CliContext, name: string, username: string, options: LoginOptions): Promise<string> {
  const key = envKey(name);
  let secret: string | undefined;
  if (options.passwordStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    secret = text.replace(/\r?\n$/, '');
  } else secret = ctx.env[`AGENTCTL_REMOTE_${key}_TOKEN`] || ctx.env[`AGENTCTL_REMOTE_${key}_PASSWORD`] || undefined;
  if (secret === undefined && ctx.interactive) secret = await askSecret(`Password or token for ${username}`);
  if (!secret) {
    throw new UsageError(`no password or token for ${username} on ${name}`, {
      fix: `echo "$TOKEN" | agentctl login ${name} --username ${username} --password-stdin, or set AGENTCTL_REMOTE_${key}_TOKEN`,
      code: 'login-secret',
    });
  }
  return secret;
}

/** A URL works anywhere; a remote name needs the workspace that defines it. */
function locate(ctx: CliContext, remote: string): { name: string; location: RemoteLocation; root?: string | undefined } {
  if (remote.includes('://')) {
    let root: string | undefined;
    try {
      root = workspaceOf(ctx).root;
    } catch {
      // outside any workspace: nothing to keep the login out of
    }
    return { name: remote, location: parseRemoteUrl(remote, ctx.cwd), root };
  }
  const workspace = workspaceOf(ctx);
  return { ...resolveRemote(remote, workspace.config, ctx.cwd, workspace.root), root: workspace.root };
}
