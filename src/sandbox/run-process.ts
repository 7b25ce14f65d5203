// Runs one contained program and collects its outcome: wall-clock timeout and cancel kill it,
// output is kept head+tail, and the result never waits on a pipe that an orphan holds open.
import { spawn } from 'node:child_process';
import { HeadTailCapture } from './output-capture.ts';
import type { SandboxRequest, SandboxResult } from './sandbox.ts';

export interface SandboxUser {
  uid: number;
  gid: number;
}

// Output after the program exits is drained for at most this long: an orphan that kept the pipe
// open (under bwrap it dies with the namespace, but not instantly) must not hold the result back.
const DRAIN_MS = 200;
const OUT_OF_MEMORY = /out of memory|MemoryError|Cannot allocate memory|Failed to allocate memory|std::bad_alloc|allocation failed/i;

export function runProcess(
  command: string,
  args: readonly string[],
  request: Pick<SandboxRequest, 'timeoutMs' | 'signal'> & { outputCapBytes: number; cwd?: string; env?: Record<string, string> },
  user: SandboxUser | undefined,
): Promise<SandboxResult> {
  const stdout = new HeadTailCapture(request.outputCapBytes);
  const stderr = new HeadTailCapture(request.outputCapBytes);
  const started = performance.now();
  return new Promise<SandboxResult>((resolve, reject) => {
    if (request.signal?.aborted) {
      resolve(result({ cancelled: true }));
      return;
    }
    const child = spawn(command, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: request.env ?? { PATH: '/usr/local/bin:/usr/bin:/bin' },
      ...(request.cwd ? { cwd: request.cwd } : {}),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
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
    const cleanup = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.on('data', (chunk: Buffer) => stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.write(chunk));
    child.on('error', (error) => {
      cleanup();
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('exit', (exitCode, signal) => {
      cleanup();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        child.stdout.destroy();
        child.stderr.destroy();
        const stderrText = stderr.text();
        resolve(
          result({
            exitCode,
            signal,
            timedOut,
            cancelled,
            outOfMemory: OUT_OF_MEMORY.test(stderrText),
            stdout: stdout.text(),
            stderr: stderrText,
            stdoutBytes: stdout.totalBytes,
            stderrBytes: stderr.totalBytes,
            durationMs: performance.now() - started,
          }),
        );
      };
      const drain = setTimeout(finish, DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        finish();
      });
    });
  });
}

function result(fields: Partial<SandboxResult>): SandboxResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled: false, outOfMemory: false, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, durationMs: 0, ...fields };
}
