// Ticket workspaces against a real git smart-HTTP server that demands a token, as GitHub does.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../src/workspace/git-cli.ts';
import { WorkspaceError, WorkspaceManager } from '../../src/workspace/workspaces.ts';
import { addCommit, createRepo, startGitServer, type GitServer } from '../support/git-server.ts';

const TOKEN = `ghs_${'T0k3n'.repeat(8)}`;
const TOKEN_FORMS = [TOKEN, Buffer.from(`x-access-token:${TOKEN}`).toString('base64'), Buffer.from(TOKEN).toString('base64')];

let base: string;
let reposRoot: string;
let ticketsRoot: string;
let server: GitServer;
let manager: WorkspaceManager;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } }).trim();
}

function cloneUrl(name: string): string {
  return `${server.url}/${name}.git`;
}

function ticket(repo: string, issueNumber: number, overrides: Partial<{ branch: string; token: string }> = {}) {
  return {
    owner: 'acme',
    repo,
    issueNumber,
    cloneUrl: cloneUrl(`acme/${repo}`),
    branch: overrides.branch ?? `ticketsmith/issue-${issueNumber}-work`,
    token: overrides.token ?? TOKEN,
  };
}

function packs(mirror: string): string[] {
  return readdirSync(join(mirror, 'objects', 'pack')).sort();
}

function readdirSync(path: string): string[] {
  return existsSync(path) ? execFileSync('ls', ['-1', path], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ticketsmith-ws-'));
  reposRoot = join(base, 'server');
  ticketsRoot = join(base, 'tickets');
  server = await startGitServer(reposRoot, { requireToken: TOKEN });
  manager = new WorkspaceManager({ root: ticketsRoot });
});

afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

describe('ticket workspaces', () => {
  let firstSha: string;
  let mirror: string;

  test('the first ticket of a repository clones a mirror and checks out its branch', async () => {
    firstSha = await createRepo(reposRoot, 'acme/widget', { 'README.md': 'v1\n', 'src/a.txt': 'hello\n' });
    const workspace = await manager.acquireTicketWorkspace(ticket('widget', 1));
    mirror = await manager.mirrorPath('acme', 'widget');

    expect(workspace).toEqual({ path: await manager.ticketPath({ owner: 'acme', repo: 'widget', issueNumber: 1 }), gitDir: mirror, branch: 'ticketsmith/issue-1-work', defaultBranch: 'main', headSha: firstSha, created: true });
    expect(existsSync(join(mirror, 'HEAD'))).toBe(true);
    expect(readFileSync(join(workspace.path, 'src/a.txt'), 'utf8')).toBe('hello\n');
    expect(git(workspace.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('ticketsmith/issue-1-work');
    expect(git(workspace.path, 'rev-parse', 'HEAD')).toBe(firstSha);
    expect(git(workspace.path, 'status', '--porcelain')).toBe('');
    // Protocol v2: exactly one `fetch` command, i.e. one pack, and every request carried the token.
    expect(server.requests.filter((r) => r.command === 'fetch')).toHaveLength(1);
    expect(server.requests.every((r) => r.status === 200 && r.authorization?.startsWith('Basic '))).toBe(true);
  });

  test('a second ticket of the same repository reuses the mirror without downloading a pack', async () => {
    const before = server.requests.length;
    const packsBefore = packs(mirror);
    const workspace = await manager.acquireTicketWorkspace(ticket('widget', 2));
    const during = server.requests.slice(before);

    expect(during.length).toBeGreaterThan(0);
    // Only ref advertisements (`ls-refs`): nothing was missing, so no `fetch` command asked for a pack.
    expect(during.filter((r) => r.method === 'POST').map((r) => r.command)).toEqual(['ls-refs', 'ls-refs']);
    expect(packs(mirror)).toEqual(packsBefore);
    expect(readFileSync(join(workspace.path, 'README.md'), 'utf8')).toBe('v1\n');
    // The tree's .git is a pointer into the mirror, and its admin dir has no object store.
    expect(statSync(join(workspace.path, '.git')).isFile()).toBe(true);
    expect(git(workspace.path, 'rev-parse', '--path-format=absolute', '--git-common-dir')).toBe(mirror);
    const gitDir = git(workspace.path, 'rev-parse', '--path-format=absolute', '--git-dir');
    expect(existsSync(join(gitDir, 'objects'))).toBe(false);
  });

  test('new upstream commits are seen on the next acquisition', async () => {
    const newSha = await addCommit(reposRoot, 'acme/widget', { 'README.md': 'v2\n' }, 'Update README');
    const again = await manager.acquireTicketWorkspace(ticket('widget', 1));

    expect(again.headSha).toBe(newSha);
    expect(again.headSha).not.toBe(firstSha);
    expect(git(again.path, 'show', 'origin/main:README.md')).toBe('v2');
    // A ticket branch with no commits of its own follows the default branch.
    expect(git(again.path, 'rev-parse', 'HEAD')).toBe(newSha);
    expect(readFileSync(join(again.path, 'README.md'), 'utf8')).toBe('v2\n');
    const fresh = await manager.acquireTicketWorkspace(ticket('widget', 3));
    expect(readFileSync(join(fresh.path, 'README.md'), 'utf8')).toBe('v2\n');
  });

  test('a ticket branch with work of its own is not moved by new upstream commits', async () => {
    const work = await manager.acquireTicketWorkspace(ticket('widget', 6));
    writeFileSync(join(work.path, 'mine.txt'), 'ticket work\n');
    git(work.path, 'add', 'mine.txt');
    git(work.path, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'ticket work');
    const own = git(work.path, 'rev-parse', 'HEAD');
    const upstream = await addCommit(reposRoot, 'acme/widget', { 'README.md': 'v3\n' }, 'Upstream moves on');

    const again = await manager.acquireTicketWorkspace(ticket('widget', 6));
    expect(again.headSha).toBe(upstream);
    expect(git(again.path, 'rev-parse', 'HEAD')).toBe(own);
    expect(readFileSync(join(again.path, 'mine.txt'), 'utf8')).toBe('ticket work\n');
  });

  test('a default-branch hint saves the round trip that asks the remote for HEAD; a stale one falls back', async () => {
    await manager.acquireTicketWorkspace(ticket('widget', 7));
    const before = server.requests.length;
    const hinted = await manager.acquireTicketWorkspace({ ...ticket('widget', 7), defaultBranchHint: 'main' });
    const withHint = server.requests.length - before;
    const middle = server.requests.length;
    const stale = await manager.acquireTicketWorkspace({ ...ticket('widget', 7), defaultBranchHint: 'renamed-away' });
    const withStaleHint = server.requests.length - middle;

    expect([hinted.defaultBranch, stale.defaultBranch]).toEqual(['main', 'main']);
    expect(hinted.headSha).toBe(stale.headSha);
    expect(hinted.created).toBe(false);
    expect(withHint).toBeGreaterThan(0); // it still fetched
    expect(withStaleHint).toBeGreaterThan(withHint);
  });

  test('a branch the ticket made earlier is resumed from the remote on a node that never saw it', async () => {
    const custom = { ...ticket('widget', 9), branch: 'fix/9' };
    const first = await manager.acquireTicketWorkspace(custom);
    writeFileSync(join(first.path, 'fix.txt'), 'fixed\n');
    git(first.path, 'add', 'fix.txt');
    git(first.path, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'fix');
    const pushed = git(first.path, 'rev-parse', 'HEAD');
    // Asynchronously: the git server runs on this test's event loop.
    await runGit(['push', '-q', cloneUrl('acme/widget'), 'fix/9'], { cwd: first.path, token: TOKEN });

    const elsewhere = new WorkspaceManager({ root: join(base, 'other-node') });
    const refused = await elsewhere.acquireTicketWorkspace(custom).catch((e: unknown) => e);
    expect((refused as WorkspaceError).code).toBe('branch_collision');
    const resumed = await elsewhere.acquireTicketWorkspace({ ...custom, ownBranch: 'fix/9' });
    expect(resumed.branch).toBe('fix/9');
    expect(git(resumed.path, 'rev-parse', 'HEAD')).toBe(pushed);
    expect(readFileSync(join(resumed.path, 'fix.txt'), 'utf8')).toBe('fixed\n');
  });

  test('a wrong token fails with a WorkspaceError that does not contain it', async () => {
    await createRepo(reposRoot, 'acme/secret', { 'a.txt': 'a\n' });
    const wrong = 'ghs_WrongWrongWrong0123456789';
    const error = await manager.acquireTicketWorkspace(ticket('secret', 1, { token: wrong })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).code).toBe('auth_failed');
    expect((error as WorkspaceError).message).toBe('GitHub refused the credentials used to clone acme/secret.');
    const everything = JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause), stderr: ((error as Error).cause as { stderr?: string }).stderr });
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
    // No half-made mirror is left for the next attempt to trust.
    expect(readdirSync(join(ticketsRoot, '.mirrors', 'acme')).filter((name) => name.startsWith('secret'))).toEqual([]);

    const fetchError = await manager.acquireTicketWorkspace(ticket('widget', 1, { token: wrong })).catch((e: unknown) => e);
    expect((fetchError as WorkspaceError).code).toBe('auth_failed');
    expect((fetchError as Error).message).not.toContain(wrong);
  });

  test('a missing repository is reported as not found', async () => {
    const error = await manager.acquireTicketWorkspace(ticket('nope', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).code).toBe('repo_not_found');
  });

  test('a repository whose every file is a Git LFS pointer is refused with a clear error; one with some real files is not', async () => {
    const pointer = (oid: string) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid.repeat(64)}\nsize 12345\n`;
    await createRepo(reposRoot, 'acme/media', { '.gitattributes': '*.psd filter=lfs diff=lfs merge=lfs -text\n', 'a.psd': pointer('a'), 'b.psd': pointer('b') });
    const error = await manager.acquireTicketWorkspace(ticket('media', 1)).catch((e: unknown) => e);
    expect((error as WorkspaceError).code).toBe('lfs_only');
    expect((error as WorkspaceError).permanent).toBe(true);
    expect((error as WorkspaceError).message).toMatch(/Git LFS/);

    await createRepo(reposRoot, 'acme/mixed', { '.gitattributes': '*.psd filter=lfs -text\n', 'a.psd': pointer('a'), 'src/app.js': 'real code\n' });
    const mixed = await manager.acquireTicketWorkspace(ticket('mixed', 1));
    expect(readFileSync(join(mixed.path, 'src/app.js'), 'utf8')).toBe('real code\n');
  });

  test('two tickets of one repository can be acquired concurrently', async () => {
    await createRepo(reposRoot, 'acme/busy', { 'x.txt': 'x\n' });
    const [a, b] = await Promise.all([manager.acquireTicketWorkspace(ticket('busy', 10)), manager.acquireTicketWorkspace(ticket('busy', 11))]);

    expect(a.path).not.toBe(b.path);
    expect(readFileSync(join(a.path, 'x.txt'), 'utf8')).toBe('x\n');
    expect(readFileSync(join(b.path, 'x.txt'), 'utf8')).toBe('x\n');
    const busyMirror = await manager.mirrorPath('acme', 'busy');
    git(busyMirror, 'fsck', '--no-progress');
    expect(existsSync(`${busyMirror}.lock`)).toBe(false);
  });

  test('a branch that exists upstream but is not ticketsmith’s is a collision', async () => {
    const error = await manager.acquireTicketWorkspace(ticket('widget', 4, { branch: 'main' })).catch((e: unknown) => e);
    expect((error as WorkspaceError).code).toBe('branch_collision');

    const taken = await manager.acquireTicketWorkspace(ticket('widget', 5, { branch: 'ticketsmith/issue-1-work' })).catch((e: unknown) => e);
    expect((taken as WorkspaceError).code).toBe('branch_collision');
  });

  test('remove deletes the tree and unregisters the worktree', async () => {
    const path = await manager.ticketPath({ owner: 'acme', repo: 'widget', issueNumber: 2 });
    await manager.removeTicketWorkspace({ owner: 'acme', repo: 'widget', issueNumber: 2 });

    expect(existsSync(path)).toBe(false);
    const list = git(mirror, 'worktree', 'list', '--porcelain');
    expect(list).not.toContain(`worktree ${path}\n`);
    expect(list).toContain(`worktree ${await manager.ticketPath({ owner: 'acme', repo: 'widget', issueNumber: 1 })}`);
    // Acquiring again brings it back on the same branch.
    const back = await manager.acquireTicketWorkspace(ticket('widget', 2));
    expect(back.branch).toBe('ticketsmith/issue-2-work');
    expect(await manager.diskUsage(back.path)).toBeGreaterThan(0);
  });

  test('the token is never written to disk', async () => {
    const files = (await readdir(ticketsRoot, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const file of files) {
      const content = await readFile(join(file.parentPath, file.name));
      for (const form of TOKEN_FORMS) if (content.includes(form)) hits.push(join(file.parentPath, file.name));
    }
    expect(hits).toEqual([]);
  });
});
