// The default sandbox: bubblewrap in fresh namespaces (no network unless asked), the system
// read-only, only the ticket's workspace writable, an allow-listed environment, resource limits
// through prlimit, and an unprivileged host user when the worker runs as root (root inside bwrap
// could still read what root can on the host). Killing bwrap tears down its PID namespace, so
// daemonized grandchildren die with it.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { bwrapArgs, ETC_ALLOWLIST, NETWORK_ETC, SYSTEM_PATHS, type HostLayout } from './bwrap-args.ts';
import { prlimitArgs, resolveLimits, type Limits } from './limits.ts';
import { runProcess, type SandboxUser } from './run-process.ts';
import type { SandboxBackend, SandboxRequest, SandboxResult } from './sandbox.ts';

export type { SandboxUser } from './run-process.ts';

export interface BwrapOptions {
  /** Run as this host user (needed when the worker is root). */
  user?: SandboxUser | undefined;
  /** Defaults for limits a request leaves out. */
  defaults?: Partial<Limits>;
}

const NOBODY: SandboxUser = { uid: 65534, gid: 65534 };

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
  readonly #defaults: Partial<Limits>;
  readonly #host: HostLayout;

  constructor(options: BwrapOptions = {}) {
    this.#user = options.user;
    this.#defaults = options.defaults ?? {};
    this.#host = detectHostLayout();
  }

  run(request: SandboxRequest): Promise<SandboxResult> {
    const limits = resolveLimits(request, this.#defaults);
    // cwd and env apply inside the sandbox (bwrapArgs); the launcher itself gets neither.
    return runProcess('prlimit', [...prlimitArgs(limits), 'bwrap', ...bwrapArgs(request, this.#host)], { timeoutMs: request.timeoutMs, signal: request.signal, outputCapBytes: limits.outputCapBytes }, this.#user);
  }
}
