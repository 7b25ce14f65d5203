// No sandbox: for development on machines without bubblewrap. The program runs as the worker's
// user with the worker's view of the filesystem and network; only the environment allow-list,
// the working directory and the resource limits still apply. Refused in production (config.ts),
// and announced in /health and in every run's log.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxCwd, sandboxEnvironment, SANDBOX_WORKSPACE } from './bwrap-args.ts';
import { prlimitArgs, resolveLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import type { SandboxBackend, SandboxRequest, SandboxResult } from './sandbox.ts';

export class NoSandbox implements SandboxBackend {
  readonly name = 'none';

  run(request: SandboxRequest): Promise<SandboxResult> {
    if (request.argv.length === 0) throw new Error('argv must name a program');
    const limits = resolveLimits(request);
    const cwd = join(request.workspace, sandboxCwd(request.cwd).slice(SANDBOX_WORKSPACE.length));
    mkdirSync(join(request.workspace, '.home'), { recursive: true });
    return runProcess('prlimit', [...prlimitArgs(limits), '--', ...request.argv], {
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      outputCapBytes: limits.outputCapBytes,
      cwd,
      env: sandboxEnvironment(request, request.workspace),
    }, undefined);
  }
}
