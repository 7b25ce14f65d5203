// Resource limits, applied with prlimit to the sandboxed process and inherited by everything it
// starts. Data size rather than address space: Node alone reserves ~700 MB of address space.
import type { SandboxRequest } from './sandbox.ts';

export interface Limits {
  cpuSeconds: number;
  memoryBytes: number;
  maxProcesses: number;
  maxFileBytes: number;
  outputCapBytes: number;
  openFiles: number;
}

export const DEFAULT_LIMITS: Limits = {
  cpuSeconds: 600,
  memoryBytes: 4 * 1024 ** 3,
  maxProcesses: 256,
  maxFileBytes: 1024 ** 3,
  outputCapBytes: 64 * 1024,
  openFiles: 4096,
};

const REQUESTABLE = ['cpuSeconds', 'memoryBytes', 'maxProcesses', 'maxFileBytes', 'outputCapBytes'] as const;

export function resolveLimits(request: SandboxRequest, defaults: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...defaults };
  for (const key of REQUESTABLE) {
    const value = request[key];
    if (value !== undefined) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${key} must be a positive integer (got ${value})`);
      limits[key] = value;
    }
  }
  return limits;
}

/** prlimit's options, then the command it runs with them. */
export function prlimitArgs(limits: Limits): string[] {
  return [
    // Soft limit first (SIGXCPU can be caught and reported), the hard one a second later.
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--data=${limits.memoryBytes}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
  ];
}
