/** What a remote holds: per agent, its versions, the stage tags pointing at them, their digests and signers. */

import { findReferrers } from './referrers.js';
import type { Target } from './target.js';
import { MEDIA } from './target.js';

export interface RemoteVersion {
  agent: string;
  version: string;
  tag: string;
  manifestDigest: string;
  stages: string[];
  signers: string[];
}

const STAGE_TAGS = new Set(['dev', 'canary', 'prod']);

/** `signal` is checked between requests (a registry target also stops the one in flight: see openRemote). */
export async function listRemote(target: Target, repositoryOf: (agent: string) => string, agents: string[], signal?: AbortSignal): Promise<RemoteVersion[]> {
  const out: RemoteVersion[] = [];
  for (const agent of agents) {
    signal?.throwIfAborted();
    const repository = repositoryOf(agent);
    const tags = await target.listTags(repository);
    const digests = new Map<string, string>();
    for (const tag of tags) {
      if (tag.startsWith('sha256-')) continue;
      signal?.throwIfAborted();
      const digest = await target.resolveTag(repository, tag);
      if (digest) digests.set(tag, digest);
    }
    for (const [tag, digest] of digests) {
      if (STAGE_TAGS.has(tag)) continue;
      // Read from each referrer's own manifest (an index entry may have lost its artifactType in a copy);
      // a referrer about another manifest is not this version's signer (pull refuses it).
      const referrers = (await findReferrers(target, repository, digest)).filter((r) => r.subject === digest);
      out.push({
        agent,
        version: tag.replace(/_/g, '+'),
        tag,
        manifestDigest: digest,
        stages: [...digests].filter(([t, d]) => STAGE_TAGS.has(t) && d === digest).map(([t]) => t),
        signers: [...new Set(referrers.filter((r) => r.artifactType === MEDIA.dsse).map((r) => r.annotations['dev.agentctl.signer'] ?? 'unknown'))],
      });
    }
  }
  return out;
}
