// The one place ticketsmith runs git. Every invocation — simple-git for the verbs it has, the raw
// CLI for the ones it lacks (worktrees, plumbing) — gets the same hardened environment, and a
// token travels only in this process's memory and the child's environment, never in argv
// (readable by any local user through /proc), a remote URL, .git/config or any other file.
import { execFile } from 'node:child_process';
import { GitPluginError, simpleGit, type SimpleGit } from 'simple-git';
import { createRedactor } from '../redact.ts';

export interface RunGitOptions {
  cwd: string;
  /** Extra variables for this command; they win over the hardened defaults. */
  env?: Record<string, string>;
  /** A GitHub installation token, sent as an HTTP header for this command only. */
  token?: string;
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
// Clones of large repositories print a lot of progress; the default 1 MiB would kill them.
const MAX_BUFFER = 64 * 1024 * 1024;

/** A git command failed; everything on it has been redacted of the token it ran with. */
export class GitError extends Error {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The git arguments, without the hardened `-c` prefix. */
  readonly args: readonly string[];
  readonly stderr: string;

  constructor(fields: { args: readonly string[]; exitCode: number | null; signal: string | null; timedOut: boolean; stderr: string }) {
    const command = `git ${fields.args[0] ?? ''}`.trim();
    const reason = fields.timedOut
      ? 'timed out'
      : fields.exitCode === null
        ? fields.signal
          ? `was killed by ${fields.signal}`
          : 'could not run'
        : `exited with code ${fields.exitCode}`;
    const detail = lastMeaningfulLine(fields.stderr);
    super(`${command} ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'GitError';
    this.exitCode = fields.exitCode;
    this.signal = fields.signal;
    this.timedOut = fields.timedOut;
    this.args = fields.args;
    this.stderr = fields.stderr;
  }
}

// git's fatal/error lines come last; progress lines before them say nothing about the failure.
function lastMeaningfulLine(stderr: string): string {
  const lines = stderr.split(/\r?\n|\r/).map((line) => line.trim()).filter(Boolean);
  return lines.findLast((line) => /^(fatal|error|remote):/i.test(line)) ?? lines.at(-1) ?? '';
}

export function basicAuthHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

/** Every form in which a token could surface in git's output. */
export function tokenForms(token: string): string[] {
  const forms = [token, Buffer.from(`x-access-token:${token}`).toString('base64'), Buffer.from(token).toString('base64')];
  return forms.filter((form) => form.length > 0);
}

function redactorFor(token: string | undefined): (text: string) => string {
  const patterns = createRedactor(token ? tokenForms(token) : []);
  // createRedactor ignores very short secrets (they mangle prose); a token must go whatever its length.
  const exact = token ? tokenForms(token) : [];
  return (text) => exact.reduce((out, form) => out.split(form).join('[REDACTED]'), patterns(text));
}

/**
 * Settings passed as GIT_CONFIG_COUNT/KEY/VALUE: they behave exactly like `git -c` (per command,
 * highest priority) but stay out of the process list.
 */
function configEnv(entries: readonly (readonly [string, string])[]): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

// Only what git needs to find itself, reach the network and place temporary files. Anything else
// inherited from a hook or a developer's shell (GIT_DIR, GIT_CONFIG_*, EDITOR, PAGER, SSH_ASKPASS…)
// could redirect a command to another repository or make git run a program.
const INHERITED = /^(PATH|HOME|TMPDIR|TZ|LANG|SYSTEMROOT|(HTTPS?|ALL|NO)_PROXY|(https?|all|no)_proxy|SSL_CERT_(FILE|DIR)|NODE_EXTRA_CA_CERTS)$/;

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && INHERITED.test(key)) env[key] = value;
  }
  return env;
}

/** The environment every git child gets: no inherited GIT_*, no host or user config, no prompts. */
export function hardenedGitEnv(options: Pick<RunGitOptions, 'token' | 'env'> = {}): Record<string, string> {
  const config: [string, string][] = [
    // An empty helper resets the list, so no helper from any config level can store or supply credentials.
    ['credential.helper', ''],
    ['core.askPass', ''],
  ];
  if (options.token) config.push(['http.extraHeader', basicAuthHeader(options.token)]);
  return {
    ...baseEnv(),
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    // Neither the host's nor the user's config should change what a workspace does.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...configEnv(config),
    ...options.env,
  };
}

/**
 * Runs `use` with a simple-git client on the hardened environment. Failures come out as GitError,
 * redacted like runGit's; `label` names the command in the error message.
 */
export async function withSimpleGit<T>(label: string, options: RunGitOptions, use: (git: SimpleGit) => Promise<T>): Promise<T> {
  const redact = redactorFor(options.token);
  const git = simpleGit({
    baseDir: options.cwd,
    timeout: { block: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    // simple-git refuses these settings by default because a hostile caller could use them to run
    // programs; here they are the hardening itself (empty credential helper and askpass, no
    // config files), so they are allowed and nothing else is.
    unsafe: { allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true, allowUnsafeCredentialHelper: true, allowUnsafeAskPass: true },
    errors: (error, result) => {
      if (!error && result.exitCode === 0) return undefined;
      const timedOut = error instanceof GitPluginError && error.plugin === 'timeout';
      const stderr = Buffer.concat(result.stdErr).toString('utf8') || (error instanceof Error ? error.message : '');
      return new GitError({ args: [label], exitCode: timedOut ? null : result.exitCode, signal: timedOut ? 'SIGKILL' : null, timedOut, stderr: redact(stderr) });
    },
  }).env(hardenedGitEnv(options));
  try {
    return await use(git);
  } catch (error) {
    if (error instanceof GitError) throw error;
    // Errors raised by simple-git itself (a refused option, a missing directory).
    throw new GitError({ args: [label], exitCode: null, signal: null, timedOut: false, stderr: redact(error instanceof Error ? error.message : String(error)) });
  }
}

export function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const env = hardenedGitEnv(options);
  const redact = redactorFor(options.token);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: MAX_BUFFER, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr: redact(stderr) });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: NodeJS.Signals | null };
        if (typeof failure.code === 'string') {
          // Spawning itself failed (git missing, cwd gone): there is no git output to show.
          reject(new GitError({ args: args.map(redact), exitCode: null, signal: null, timedOut: false, stderr: redact(failure.message) }));
          return;
        }
        reject(
          new GitError({
            args: args.map(redact),
            exitCode: typeof failure.code === 'number' ? failure.code : null,
            signal: failure.signal ?? null,
            timedOut: Boolean(failure.killed) && failure.signal === 'SIGKILL' && failure.code == null,
            stderr: redact(stderr),
          }),
        );
      },
    );
  });
}
