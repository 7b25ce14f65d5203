// The default sandbox: bubblewrap in fresh namespaces (no network unless asked), the system
// read-only, only the ticket's workspace writable, an allow-listed environment, resource limits
// through prlimit, and an unprivileged host user when the worker runs as root (root inside bwrap
// could still read what root can on the host). Killing bwrap tears down its PID namespace, so
// daemonized grandchildren die with it.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { bwrapArgs, ETC_ALLOWLIST, NETWORK_ETC, SYSTEM_PATHS, type HostLayout } from './bwrap-args.ts';
import { HeadTailCapture } from './output-capture.ts';
import type { SandboxBackend, SandboxRequest, SandboxResult } from './sandbox.ts';

export interface SandboxUser {
  uid: number;
  gid: number;
}

export interface BwrapOptions {
  /** Run as this host user (needed when the worker is root). */
  user?: SandboxUser | undefined;
  /** Defaults for limits a request leaves out. */
  defaults?: Partial<Pick<SandboxRequest, 'cpuSeconds' | 'memoryBytes' | 'maxProcesses' | 'maxFileBytes' | 'outputCapBytes'>>;
}

const NOBODY: SandboxUser = { uid: 65534, gid: 65534 };
const DEFAULTS = { cpuSeconds: 600, memoryBytes: 4 * 1024 ** 3, maxProcesses: 256, maxFileBytes: 1024 ** 3, outputCapBytes: 64 * 1024, openFiles: 4096 };
// Output after the program exits is drained for at most this long: an orphan that kept the pipe
// open (it dies with the namespace, but not instantly) must not hold the result back.
const DRAIN_MS = 200;
const OUT_OF_MEMORY = /out of memory|MemoryError|Cannot allocate memory|Failed to allocate memory|std::bad_alloc|allocation failed/i;

/** The unprivileged user to run as: nobody when this process is root, itself otherwise. */
export function detectSandboxUser(): SandboxUser | undefined {
  return process.getuid?.() === 0 ? NOBODY : undefined;
}

export function detectHostLayout(): HostLayout {
  const symlinks: Record<string, string> = {};
  const directories: string[] = [];
  for (const path of SYSTEM_PATHS) {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats?.isSymbolicLink()) symlinks[path] = readlinkSync(path);
    else if (stats?.isDirectory()) directories.push(path);
  }
  const etc = [...ETC_ALLOWLIST, ...NETWORK_ETC].filter((path) => existsSync(path));
  return { symlinks, directories, etc };
}

export class BwrapSandbox implements SandboxBackend {
  readonly name = 'bwrap';
  readonly #user: SandboxUser | undefined;
  readonly #defaults: typeof DEFAULTS;
  readonly #host: HostLayout;

  constructor(options: BwrapOptions = {}) {
    this.#user = options.user;
    this.#defaults = { ...DEFAULTS, ...options.defaults };
    this.#host = detectHostLayout();
  }

  run(request: SandboxRequest): Promise<SandboxResult> {
    const limits = { ...this.#defaults, ...definedOnly(request) };
    const argv = [
      // Soft limit first (SIGXCPU, SIGXFSZ can be caught and reported), hard limit just above.
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--data=${limits.memoryBytes}`,
      `--nproc=${limits.maxProcesses}`,
      `--fsize=${limits.maxFileBytes}`,
      `--nofile=${limits.openFiles}`,
      '--core=0',
      'bwrap',
      ...bwrapArgs(request, this.#host),
    ];
    const stdout = new HeadTailCapture(limits.outputCapBytes);
    const stderr = new HeadTailCapture(limits.outputCapBytes);
    const started = performance.now();
    return new Promise<SandboxResult>((resolve, reject) => {
      if (request.signal?.aborted) {
        resolve(emptyResult({ cancelled: true }));
        return;
      }
      const child = spawn('prlimit', argv, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
        ...(this.#user ? { uid: this.#user.uid, gid: this.#user.gid } : {}),
      });
      let timedOut = false;
      let cancelled = false;
      const kill = () => child.kill('SIGKILL');
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, request.timeoutMs);
      const onAbort = () => {
        cancelled = true;
        kill();
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => stdout.write(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.write(chunk));
      child.on('error', (error) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        reject(new Error(`could not start the sandbox (is bubblewrap installed? apt-get install bubblewrap): ${error.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          child.stdout.destroy();
          child.stderr.destroy();
          const stderrText = stderr.text();
          resolve({
            exitCode: code,
            signal,
            timedOut,
            cancelled,
            outOfMemory: OUT_OF_MEMORY.test(stderrText),
            stdout: stdout.text(),
            stderr: stderrText,
            stdoutBytes: stdout.totalBytes,
            stderrBytes: stderr.totalBytes,
            durationMs: performance.now() - started,
          });
        };
        const drain = setTimeout(finish, DRAIN_MS);
        child.once('close', () => {
          clearTimeout(drain);
          finish();
        });
      });
    });
  }
}

function definedOnly(request: SandboxRequest): Partial<typeof DEFAULTS> {
  const picked: Partial<typeof DEFAULTS> = {};
  for (const key of ['cpuSeconds', 'memoryBytes', 'maxProcesses', 'maxFileBytes', 'outputCapBytes'] as const) {
    const value = request[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

function emptyResult(fields: Partial<SandboxResult>): SandboxResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled: false, outOfMemory: false, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, durationMs: 0, ...fields };
}
