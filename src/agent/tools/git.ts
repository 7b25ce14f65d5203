// git is run through spawn with streamed output rather than execFile's buffer, because a search
// over a large repository can print far more than any sane maxBuffer, and we only keep a prefix.
import { spawn } from 'node:child_process';
import { hardenedGitEnv } from '../../workspace/git-cli.ts';

export interface GitRun {
  code: number;
  stderr: string;
}

const GIT_TIMEOUT_MS = 30_000;

/**
 * Runs git in cwd, calling onLine for each separator-terminated stdout record (without the separator).
 * Resolves with the exit code; rejects only when git cannot be started, is aborted or times out.
 */
export function runGit(
  args: string[],
  cwd: string,
  onLine: (line: string) => void,
  options: { signal?: AbortSignal; separator?: string } = {},
): Promise<GitRun> {
  const { signal, separator = '\n' } = options;
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      signal,
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The same hardened environment as every other git command (no inherited GIT_DIR, no user
      // config, no prompts); the pager is off because output is parsed.
      env: { ...hardenedGitEnv(), GIT_PAGER: 'cat' },
    });
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf(separator);
      while (newline !== -1) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf(separator);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4_000) stderr += chunk;
    });
    child.on('error', (error) => reject(error.name === 'AbortError' ? new Error('cancelled') : error));
    child.on('close', (code, killedBy) => {
      if (pending !== '') onLine(pending);
      if (killedBy !== null && !signal?.aborted) reject(new Error(`git ${args[0] ?? ''} timed out or was killed (${killedBy})`));
      else resolve({ code: code ?? -1, stderr });
    });
  });
}

/** Collects stdout fully; for commands whose output is known to be modest. */
export async function gitOutput(args: string[], cwd: string, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const lines: string[] = [];
  const run = await runGit(args, cwd, (line) => lines.push(line), { signal });
  return { code: run.code, stdout: lines.join('\n'), stderr: run.stderr };
}

export async function isGitWorkTree(cwd: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const result = await gitOutput(['rev-parse', '--is-inside-work-tree'], cwd, signal);
    return result.code === 0 && result.stdout.trim() === 'true';
  } catch (error) {
    if (signal?.aborted) throw error;
    return false;
  }
}

/** The first meaningful line of git's stderr, for error messages. */
export function gitError(stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return (line ?? 'git failed').replace(/^(fatal|error): /, '');
}
