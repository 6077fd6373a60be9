/**
 * What scaffolded CI installs. `agentctl` on npm is another author's package: CI must install this one,
 * by its own name, pinned to the version that scaffolded the files (a mirror or git URL when told).
 */
import { UsageError } from '../errors.js';

import { PACKAGE_NAME } from '../util/package-root.js';

export { PACKAGE_NAME };

declare const __AGENTCTL_VERSION__: string;
/** The version of the running agentctl (set by the build; "0.0.0-dev" when run from source). */
export const AGENTCTL_VERSION = typeof __AGENTCTL_VERSION__ === 'string' ? __AGENTCTL_VERSION__ : '0.0.0-dev';

/** `agentctl-cli@<this version>`: what `npm install` in scaffolded CI gets unless told otherwise. */
export function defaultCiPackage(version = AGENTCTL_VERSION): string {
  return `${PACKAGE_NAME}@${version}`;
}

/**
 * A package spec goes into YAML and a shell command: a name@version, a URL, a git URL or a path, with no
 * spaces, quotes or shell characters. A bare name would install whatever is newest: refuse it.
 */
export function checkCiPackage(spec: string): string {
  const bad = (why: string) =>
    new UsageError(`--ci-package "${spec}" ${why}`, {
      fix: `e.g. --ci-package ${defaultCiPackage()}, --ci-package git+https://git.example.com/tools/agentctl.git#v${AGENTCTL_VERSION}, or a tarball URL on your mirror`,
      code: 'bad-ci-package',
    });
  if (!/^[A-Za-z0-9@/._:+#~=%-]+$/.test(spec)) throw bad('has characters a package spec cannot have (spaces, quotes, $, ;, …)');
  const looksLikeUrl = /^(git\+|https?:|file:|git:|ssh:)|\.tgz$|#/.test(spec);
  const versioned = /^(@[^/@]+\/)?[^@/]+@[^@/]+$/.test(spec);
  if (!looksLikeUrl && !versioned) throw bad('is not pinned: CI would install whatever that name means on the day it runs');
  return spec;
}
