// The one seam between ticketsmith and the code it runs: the agent's commands and the repository's
// tests go through a SandboxBackend, so what contains them can change without the callers noticing.

export interface SandboxRequest {
  /** Program and arguments; run without a shell unless argv says so (e.g. ['sh', '-c', '…']). */
  argv: readonly string[];
  /** The ticket's workspace on the host; the only writable place, seen inside as /workspace. */
  workspace: string;
  /** Working directory relative to the workspace (default: its root). */
  cwd?: string;
  /** Extra variables, on top of the backend's allow-listed base. */
  env?: Readonly<Record<string, string>>;
  timeoutMs: number;
  cpuSeconds?: number;
  /** Data segment limit (RLIMIT_DATA), not address space: runtimes reserve far more than they use. */
  memoryBytes?: number;
  maxProcesses?: number;
  /** Largest file the program may write. */
  maxFileBytes?: number;
  /** Only a repository's setup phase may ask for the network. */
  network?: boolean;
  /** Bytes of stdout (and, separately, of stderr) kept: the head and the tail. */
  outputCapBytes?: number;
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The program ran out of memory (its limit, as far as the backend can tell). */
  outOfMemory: boolean;
  stdout: string;
  stderr: string;
  /** Bytes the program wrote, before capping. */
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
}

export interface SandboxBackend {
  readonly name: 'bwrap' | 'none';
  run(request: SandboxRequest): Promise<SandboxResult>;
}
