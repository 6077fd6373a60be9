/**
 * The OCI distribution protocol over fetch: blob HEAD, upload (POST then PUT, or PATCH chunks for large
 * blobs), manifests, tags, catalog. Auth: anonymous, basic, and the bearer-token challenge flow
 * (WWW-Authenticate). Retries 429/5xx and dropped connections with backoff. Credentials are sent, never
 * printed: errors name the URL and the status only.
 */
import { CheckFailedError, EnvironmentError } from '../errors.js';
import { sha256 } from '../util/canonical.js';
import { type Credentials, RegistryAuth } from './registry-auth.js';
import { type AttemptOptions, DEFAULT_REGISTRY_TIMEOUT_MS, fetchReply, type Reply, withRetries } from './registry-http.js';
import { type Descriptor, type Manifest, MEDIA, type Target, type TargetStats } from './target.js';
import type { RemoteLocation } from './url.js';

export type { Credentials } from './registry-auth.js';

export interface ClientOptions {
  credentials?: Credentials;
  retries?: number;
  backoffMs?: number;
  /** Per attempt, until the last byte of the answer (default 60 s). */
  timeoutMs?: number;
  /** The caller's cancel: aborts the request in flight and any backoff wait. */
  signal?: AbortSignal | undefined;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. */
  chunkBytes?: number;
  /** The remote's name as configured, for fixes such as "agentctl login <name>" (default: its URL). */
  name?: string;
}

type Registry = Extract<RemoteLocation, { kind: 'registry' }>;

interface RequestOptions {
  repository?: string;
  push?: boolean;
  ok: number[];
  body?: Buffer;
  headers?: Record<string, string>;
  scope?: string;
  retry?: boolean;
}

export class RegistryTarget implements Target {
  readonly stats: TargetStats = { requests: 0, uploads: 0, uploadedBytes: 0 };
  readonly description: string;
  private readonly auth: RegistryAuth;

  constructor(
    private readonly location: Registry,
    private readonly options: ClientOptions = {},
  ) {
    this.description = location.url;
    this.auth = new RegistryAuth(options.credentials, {
      remote: location.url,
      remoteName: options.name ?? location.url,
      attempt: () => ({ ...this.attempt, remoteName: options.name ?? location.url }),
      countRequest: () => {
        this.stats.requests++;
      },
    });
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { repository, ok: [200, 404] });
    return response.status === 200;
  }

  async putBlob(repository: string, digest: string, bytes: Buffer): Promise<void> {
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/`, { repository, push: true, ok: [202], headers: { 'content-length': '0' } });
    let location = this.absolute(start.headers.get('location'), repository);
    const chunk = this.options.chunkBytes ?? 8 * 1024 * 1024;
    if (bytes.length > chunk) {
      for (let offset = 0; offset < bytes.length; offset += chunk) {
        const piece = bytes.subarray(offset, Math.min(bytes.length, offset + chunk));
        const patched = await this.request('PATCH', location, {
          repository,
          push: true,
          ok: [202],
          body: piece,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${offset}-${offset + piece.length - 1}`,
            'content-length': String(piece.length),
          },
          retry: false,
        });
        location = this.absolute(patched.headers.get('location'), repository);
      }
      await this.request('PUT', withQuery(location, `digest=${encodeURIComponent(digest)}`), {
        repository,
        push: true,
        ok: [201],
        headers: { 'content-length': '0' },
        retry: false,
      });
    } else {
      await this.request('PUT', withQuery(location, `digest=${encodeURIComponent(digest)}`), {
        repository,
        push: true,
        ok: [201],
        body: bytes,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        retry: false,
      });
    }
    this.stats.uploads++;
    this.stats.uploadedBytes += bytes.length;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { repository, ok: [200] });
    const bytes = response.body;
    const actual = sha256(bytes);
    if (actual !== digest) {
      throw new CheckFailedError(
        `blob ${digest} from ${this.location.url}/${repository} does not match its digest (it hashes to ${actual}): it was tampered with or corrupted`,
        {
          code: 'digest-mismatch',
          fix: 'do not use this copy; ask the owner to push the version again',
        },
      );
    }
    return bytes;
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, {
      repository,
      ok: [200, 404],
      headers: { accept: `${MEDIA.manifest}, ${MEDIA.index}` },
    });
    if (response.status === 404) return undefined;
    const bytes = response.body;
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new CheckFailedError(`manifest ${reference} from ${this.location.url} does not match its digest (it hashes to ${digest})`, {
        code: 'digest-mismatch',
      });
    }
    return { bytes, digest, mediaType: response.headers.get('content-type')?.split(';')[0] ?? MEDIA.manifest };
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${tag}`, {
      repository,
      ok: [200, 404],
      headers: { accept: `${MEDIA.manifest}, ${MEDIA.index}` },
    });
    return response.status === 404 ? undefined : (response.headers.get('docker-content-digest') ?? undefined);
  }

  async putManifest(repository: string, manifest: Manifest, tag?: string): Promise<void> {
    await this.request('PUT', `/v2/${repository}/manifests/${tag ?? manifest.digest}`, {
      repository,
      push: true,
      ok: [201],
      body: manifest.bytes,
      headers: { 'content-type': manifest.mediaType },
    });
  }

  async listTags(repository: string): Promise<string[]> {
    const response = await this.request('GET', `/v2/${repository}/tags/list`, { repository, ok: [200, 404] });
    if (response.status === 404) return [];
    return this.json<{ tags?: string[] | null }>(response, `/v2/${repository}/tags/list`).tags ?? [];
  }

  async listRepositories(): Promise<string[]> {
    const response = await this.request('GET', '/v2/_catalog?n=1000', { ok: [200, 404], scope: 'registry:catalog:*' });
    if (response.status === 404) return [];
    const all = this.json<{ repositories?: string[] }>(response, '/v2/_catalog').repositories ?? [];
    const prefix = this.location.namespace ? `${this.location.namespace}/` : '';
    return all.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
  }

  /**
   * GET /v2/<repo>/referrers/<digest> (distribution spec 1.1). A registry without the API answers 404 (or
   * something that is not an image index): undefined, and the caller falls back to the tag schema.
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const path = `/v2/${repository}/referrers/${digest}`;
    const response = await this.request('GET', path, { repository, ok: [200, 400, 404, 405, 501], headers: { accept: MEDIA.index } });
    if (response.status !== 200) return undefined;
    let body: { mediaType?: string; manifests?: unknown } | null;
    try {
      body = JSON.parse(response.body.toString('utf8')) as typeof body;
    } catch {
      return undefined;
    }
    if (body?.mediaType !== MEDIA.index || !Array.isArray(body.manifests)) return undefined;
    return (body.manifests as Descriptor[]).filter((d) => typeof d?.digest === 'string');
  }

  private absolute(location: string | null, repository: string): string {
    if (!location) throw new EnvironmentError(`${this.location.url}/${repository} did not say where to upload`, { code: 'registry-protocol' });
    return location.startsWith('http') ? location : `${this.location.base}${location.startsWith('/') ? '' : '/'}${location}`;
  }

  /**
   * One request, body included, each attempt under `timeoutMs` (see withRetries for the bound). A 401
   * adds one token fetch (also under `timeoutMs`) and one more round of attempts, no more: a token that
   * expired or was refused is renewed once, and a second refusal is reported.
   */
  private async request(method: string, pathOrUrl: string, opts: RequestOptions): Promise<Reply> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.location.base}${pathOrUrl}`;
    const scope = opts.scope ?? (opts.repository ? `repository:${opts.repository}:${opts.push ? 'pull,push' : 'pull'}` : '');
    const attempts = (auth: Record<string, string>) =>
      withRetries(
        () => {
          this.stats.requests++;
          const init = { method, headers: { ...opts.headers, ...auth }, redirect: 'follow' as const };
          return fetchReply(url, opts.body ? { ...init, body: opts.body } : init, this.attempt);
        },
        { retries: opts.retry === false ? 0 : (this.options.retries ?? 3), baseMs: this.options.backoffMs ?? 200, signal: this.options.signal },
      );
    let reply = await attempts(await this.auth.header(scope));
    if (reply.status === 401) {
      await this.auth.unauthorized(reply.headers.get('www-authenticate'), scope);
      const auth = await this.auth.header(scope);
      reply = await attempts(auth);
      if (reply.status === 401 && auth.authorization?.startsWith('Bearer ')) throw this.auth.refused(reply.headers.get('www-authenticate'), scope);
    }
    if (opts.ok.includes(reply.status)) return reply;
    throw this.failure(method, url, reply);
  }

  private get attempt(): AttemptOptions {
    return { timeoutMs: this.options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS, signal: this.options.signal, remote: this.location.url };
  }

  private json<T>(reply: Reply, path: string): T {
    try {
      return JSON.parse(reply.body.toString('utf8')) as T;
    } catch {
      throw new EnvironmentError(`${this.location.base}${path} answered something that is not JSON`, { code: 'registry-protocol', where: this.location.url });
    }
  }

  private failure(method: string, url: string, response: Reply): Error {
    let detail = '';
    try {
      const body = JSON.parse(response.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
      detail = (body.errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ');
    } catch {
      // no JSON body
    }
    const what = `${method} ${url} answered ${response.status}${detail ? ` (${detail})` : ''}`;
    if (response.status === 401 || response.status === 403) {
      return new EnvironmentError(`the registry refused the credentials: ${what}`, {
        fix: 'check the username and password (env AGENTCTL_REGISTRY_USER / AGENTCTL_REGISTRY_PASSWORD, or the credentials file)',
        code: 'remote-auth',
      });
    }
    if (response.status >= 500)
      return new EnvironmentError(`the registry failed: ${what}`, { fix: 'try again later; nothing was tagged', code: 'remote-error' });
    return new CheckFailedError(`the registry refused: ${what}`, { code: 'remote-refused' });
  }
}

function withQuery(url: string, query: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
