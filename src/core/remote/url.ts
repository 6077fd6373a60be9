/** Remote URLs: oci://host[:port]/repo/path (an OCI distribution registry) or file://path (an OCI image layout). */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export type RemoteLocation =
  | { kind: 'registry'; url: string; host: string; base: string; namespace: string; insecure: boolean }
  | { kind: 'layout'; url: string; dir: string };

const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

export function parseRemoteUrl(url: string, cwd: string): RemoteLocation {
  const bad = (why: string) =>
    new UsageError(`malformed remote URL "${url}": ${why}`, {
      fix: 'use oci://host[:port]/repository (a registry) or file://path (an OCI image layout folder)',
      code: 'bad-remote-url',
    });
  if (url.startsWith('file://')) {
    const path = url.slice('file://'.length);
    if (!path) throw bad('no folder after file://');
    return { kind: 'layout', url, dir: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (!url.startsWith('oci://')) throw bad('it must start with oci:// or file://');
  const rest = url.slice('oci://'.length);
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  const namespace = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host)) throw bad(`"${host}" is not a host[:port]`);
  if (namespace && !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(namespace)) {
    throw bad(`"${namespace}" is not a valid repository path (lowercase letters, digits, ".", "_", "-", "/")`);
  }
  // Registries on this machine speak plain HTTP; everything else is HTTPS unless told otherwise.
  const insecure = LOCAL_HOSTS.test(host) || process.env.AGENTCTL_REGISTRY_INSECURE === '1';
  return { kind: 'registry', url, host, base: `${insecure ? 'http' : 'https'}://${host}`, namespace, insecure };
}

/** The repository an agent lives in on a remote: <namespace>/<name>. */
export function repositoryOf(location: RemoteLocation, agent: string): string {
  return location.kind === 'registry' && location.namespace ? `${location.namespace}/${agent}` : agent;
}

/** OCI tags cannot hold "+": semver build metadata is written with "_". */
export function versionTag(version: string): string {
  return version.replace(/\+/g, '_');
}

/** `remote/name@version`, `name@version` or `name` → parts. */
export function parseRemoteRef(ref: string): { remote: string | undefined; name: string; version: string | undefined } {
  const slash = ref.indexOf('/');
  const remote = slash === -1 ? undefined : ref.slice(0, slash);
  const rest = slash === -1 ? ref : ref.slice(slash + 1);
  const at = rest.indexOf('@');
  return { remote, name: at === -1 ? rest : rest.slice(0, at), version: at === -1 ? undefined : rest.slice(at + 1) };
}
