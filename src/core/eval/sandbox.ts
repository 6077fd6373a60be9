/**
 * Assertion code is foreign code: it runs in a separate Node process under Node's permission model
 * (`--permission`, `--experimental-permission` on Node 20) that may read the version's own folder and
 * nothing else — no writes, no child processes, no workers, no native addons — with an empty environment
 * (no gateway key, no AGENTCTL_*), a memory cap and a timeout. The permission model does not cover the
 * network on Node 20 and 22: a check can still open a socket (the README says so).
 *
 * One process serves a whole eval (one call at a time, so a check that loops for ever is killed alone,
 * and the next call starts a fresh process).
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface SandboxOptions {
  /** The only folder the code may read (the version's materialized files). */
  readDir: string;
  /** Heap cap of the sandbox process, MiB. */
  memoryMb?: number;
}

export interface SandboxResult {
  ok: boolean;
  result?: unknown;
  error?: string;
}

// The code the sandbox runs: it receives calls over IPC, imports the check, calls it, replies.
const RUNNER = `
process.on('message', async (call) => {
  try {
    const mod = await import(call.url);
    const fn = call.exportName === 'default' ? (mod.default ?? mod) : mod[call.exportName];
    if (typeof fn !== 'function') throw new Error('exports no function named ' + call.exportName);
    const result = await fn(call.output, call.context);
    process.send({ id: call.id, ok: true, result });
  } catch (error) {
    process.send({ id: call.id, ok: false, error: String((error && error.message) || error) });
  }
});
process.send({ ready: true });
`;

function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

export class JsSandbox {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly options: SandboxOptions) {}

  /** Calls `exportName` of the module at `url` with (output, context); rejects on timeout, crash or refusal. */
  call(url: string, exportName: string, output: string, context: unknown, timeoutMs: number): Promise<SandboxResult> {
    const run = this.queue.then(() => this.callNow(url, exportName, output, context, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
    this.ready = undefined;
  }

  private start(): Promise<void> {
    if (this.ready && this.child && this.child.exitCode === null) return this.ready;
    const child = spawn(
      process.execPath,
      [
        permissionFlag(),
        `--allow-fs-read=${this.options.readDir}`,
        `--max-old-space-size=${this.options.memoryMb ?? 256}`,
        '--no-warnings',
        '--input-type=commonjs',
        '-e',
        RUNNER,
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: {}, cwd: this.options.readDir },
    );
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the assertion sandbox exited (${code}) before it was ready`)));
      child.once('error', reject);
    });
    return this.ready;
  }

  private async callNow(url: string, exportName: string, output: string, context: unknown, timeoutMs: number): Promise<SandboxResult> {
    await this.start();
    const child = this.child as ChildProcess;
    const id = this.nextId++;
    let stderr = '';
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString('utf8').slice(0, 2000);
    };
    child.stderr?.on('data', onData);
    return new Promise<SandboxResult>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.stderr?.off('data', onData);
      };
      const timer = setTimeout(() => {
        done();
        this.close();
        reject(new Error(`did not return within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: SandboxResult & { id?: number }) => {
        if (message.id !== id) return;
        done();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        this.child = undefined;
        const oom = /heap out of memory|Allocation failed/i.test(stderr);
        reject(
          new Error(
            oom ? `ran out of its memory cap (${this.options.memoryMb ?? 256} MiB)` : `crashed (${signal ?? code}): ${stderr.trim().split('\n').at(-1) ?? ''}`,
          ),
        );
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, url, exportName, output, context });
    });
  }
}
