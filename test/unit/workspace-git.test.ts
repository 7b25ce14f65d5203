import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyGitFailure } from '../../src/workspace/errors.ts';
import { GitError, runGit } from '../../src/workspace/git-cli.ts';
import { withLock } from '../../src/workspace/mirror-lock.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ticketsmith-git-'));
  await runGit(['init', '--quiet', 'repo'], { cwd: dir });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runGit', () => {
  test('returns output and runs with a neutral configuration', async () => {
    const { stdout } = await runGit(['config', '--show-scope', '--get-all', 'credential.helper'], { cwd: join(dir, 'repo') });
    expect(stdout.trim()).toBe('command');
    const { stdout: prompt } = await runGit(['var', 'GIT_EDITOR'], { cwd: join(dir, 'repo'), env: { GIT_EDITOR: 'true' } });
    expect(prompt.trim()).toBe('true');
  });

  test('passes the token as an extra header that is not stored in the repository config', async () => {
    const token = 'ghs_secretsecret123';
    const { stdout } = await runGit(['config', '--get', 'http.extraHeader'], { cwd: join(dir, 'repo'), token });
    expect(stdout.trim()).toBe(`Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`);
    expect(await readFile(join(dir, 'repo', '.git', 'config'), 'utf8')).not.toContain('extraHeader');
  });

  test('failures are GitErrors with the exit code and no trace of the token', async () => {
    const token = 'tok';
    const error = await runGit(['rev-parse', '--verify', `${token}-rev`], { cwd: join(dir, 'repo'), token }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    const gitError = error as GitError;
    expect(gitError.exitCode).toBe(128);
    expect(gitError.message).toMatch(/^git rev-parse exited with code 128: fatal: /);
    for (const text of [gitError.message, gitError.stderr, gitError.args.join(' ')]) expect(text).not.toContain(token);
  });

  test('a timeout kills git and says so', async () => {
    const error = await runGit(['hash-object', '--stdin'], { cwd: dir, timeoutMs: 200 }).catch((e: unknown) => e);
    // hash-object waits on stdin, which execFile leaves open.
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).timedOut).toBe(true);
  });
});

describe('withLock', () => {
  test('serializes callers in one process', async () => {
    const lock = join(dir, 'serial.lock');
    const order: string[] = [];
    const job = (name: string) =>
      withLock(lock, async () => {
        order.push(`${name}+`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`${name}-`);
      });
    await Promise.all([job('a'), job('b'), job('c')]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(existsSync(lock)).toBe(false);
  });

  test('takes over a lock whose holder on this host is dead', async () => {
    const lock = join(dir, 'dead.lock');
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'old' }));
    await expect(withLock(lock, async () => 'ran', { timeoutMs: 2000 })).resolves.toBe('ran');
  });

  test('waits for a live holder and takes over once its lock goes stale', async () => {
    const lock = join(dir, 'stale.lock');
    await writeFile(lock, JSON.stringify({ pid: 1, host: 'elsewhere', token: 'other' }));
    await expect(withLock(lock, async () => 'ran', { timeoutMs: 150, staleMs: 60_000 })).rejects.toThrow('Timed out');
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    await expect(withLock(lock, async () => 'ran', { timeoutMs: 2000, staleMs: 60_000 })).resolves.toBe('ran');
  });
});

describe('classifyGitFailure', () => {
  const failure = (stderr: string, timedOut = false) => new GitError({ args: ['fetch'], exitCode: timedOut ? null : 128, signal: timedOut ? 'SIGKILL' : null, timedOut, stderr });

  test.each<[string, string, string, boolean]>([
    ['fatal: write error: No space left on device', 'disk_full', 'The disk holding ticket workspaces is full, so git could not fetch o/r.', false],
    ["remote: Repository not found.\nfatal: repository 'https://x/o/r.git/' not found", 'repo_not_found', 'The repository o/r was not found.', true],
    ['fatal: Authentication failed for https://x/o/r.git/', 'auth_failed', 'GitHub refused the credentials used to fetch o/r.', false],
    ['fatal: unable to access: Could not resolve host: github.com', 'network', 'A network error stopped git from trying to fetch o/r.', false],
  ])('%s → %s', (stderr, code, message, permanent) => {
    const error = classifyGitFailure(failure(stderr), 'o/r', 'fetch');
    expect([error.code, error.message, error.permanent]).toEqual([code, message, permanent]);
  });

  test('a timeout is its own kind, and retryable', () => {
    const error = classifyGitFailure(failure('', true), 'o/r', 'clone');
    expect([error.code, error.permanent]).toEqual(['timeout', false]);
  });
});
