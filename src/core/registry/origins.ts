/**
 * The origins store: the only code that reads or writes `pulled_versions` (migration 9) — whether a
 * registered version was pulled, from where, and which trusted keys had signed it at the time.
 */
import type { Db } from './db.js';

export interface PulledSigner {
  keyId: string;
  /** The name the key was trusted under at pull time (team/owner from trust.yaml, or a trustedKeys name). */
  keyName: string;
}

export interface PulledOrigin {
  name: string;
  version: string;
  digest: string;
  /** The remote's name in this workspace, and its location (URL or file:// path) when pulled. */
  remote: string;
  location: string;
  manifestDigest: string;
  /** The name@version the pull asked for: this version, or one that depends on it (a dependency came with it). */
  via: string;
  /** Keys trusted at pull time whose signatures about the pulled artifact verified (empty: nobody trusted signed it). */
  signers: PulledSigner[];
  pulledAt: string;
  pulledBy: string;
}

const COLUMNS = 'name, version, digest, remote, location, manifest_digest AS manifestDigest, via, signers, pulled_at AS pulledAt, pulled_by AS pulledBy';

export class OriginStore {
  constructor(private readonly db: Db) {}

  /** Records one pull of one version (call it in the pull's registering transaction). */
  recordPull(o: Omit<PulledOrigin, 'pulledAt'>): void {
    this.db
      .prepare(
        'INSERT INTO pulled_versions (name, version, digest, remote, location, manifest_digest, via, signers, pulled_at, pulled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(o.name, o.version, o.digest, o.remote, o.location, o.manifestDigest, o.via, JSON.stringify(o.signers), new Date().toISOString(), o.pulledBy);
  }

  /** Every pull of exactly this name@version and digest, oldest first (none: the version is this workspace's own). */
  pullsOf(name: string, version: string, digest: string): PulledOrigin[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM pulled_versions WHERE name = ? AND version = ? AND digest = ? ORDER BY id`)
      .all(name, version, digest) as (Omit<PulledOrigin, 'signers'> & { signers: string })[];
    return rows.map((r) => ({ ...r, signers: JSON.parse(r.signers) as PulledSigner[] }));
  }
}
