/** push under a cancel: against an OCI image layout (no network to abort), the push's own checks keep tags out. */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishable } from '../../../test/support/published.js';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { CancelledError } from '../session/cancel.js';
import { LayoutTarget } from './layout.js';
import { pushVersion } from './push.js';

function published() {
  return publishable(scaffoldWorkspace('main-sub'));
}

describe('a cancelled push', () => {
  it('writes no tag after the cancel, and the next push resumes from the blobs already there', async () => {
    const { root, registry, key, policies } = published();
    const target = new LayoutTarget(join(root, 'oci'));
    const controller = new AbortController();
    const base = { registry, target, repository: 'triage', ref: 'triage@0.1.0', policies, defaultPolicy: 'default', key };
    let uploads = 0;
    const first = pushVersion({
      ...base,
      signal: controller.signal,
      onStep: (line) => {
        if (line.startsWith('uploaded') && ++uploads === 2) controller.abort(new CancelledError('SIGINT'));
      },
    });
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    expect(uploads).toBe(2);
    expect(await target.resolveTag('triage', '0.1.0')).toBeUndefined();
    expect(await target.resolveTag('triage', 'dev')).toBeUndefined();

    const again = await pushVersion(base);
    expect(again.manifest).toBe('created');
    expect(again.blobs.filter((b) => b.present)).toHaveLength(2);
    expect(await target.resolveTag('triage', '0.1.0')).toBe(again.manifestDigest);
    registry.close();
  });
});
