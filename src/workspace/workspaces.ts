// Ticket workspaces: one bare mirror per repository under <root>/.mirrors, and one git worktree of
// it per ticket under <root>/<owner>/<repo>/<issue>. Worktrees share the mirror's object store, so a
// second ticket of a repository costs a checkout, not a clone.
//
// The mirror is a bare repository fetching `+refs/heads/*:refs/remotes/origin/*` rather than a
// literal `clone --mirror`: the mirror refspec (`+refs/*:refs/*`) with --prune would delete or
// force-overwrite the local ticket branches the worktrees have checked out.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.ts';
import { isValidBranchName } from './branch-name.ts';
import { diskUsage } from './disk-usage.ts';
import { classifyGitFailure, WorkspaceError } from './errors.ts';
import { GitError, runGit, withSimpleGit, type RunGitOptions } from './git-cli.ts';
import { withLock, LockTimeoutError, type LockOptions } from './mirror-lock.ts';

export { WorkspaceError, type WorkspaceErrorCode } from './errors.ts';
export { diskUsage } from './disk-usage.ts';

type WorkspaceLog = Pick<Logger, 'info' | 'warn'>;

export interface WorkspaceManagerOptions {
  /** TICKETS_ROOT. */
  root: string;
  log?: WorkspaceLog;
  lock?: LockOptions;
  /** Per git command; clones of big repositories need minutes. */
  gitTimeoutMs?: number;
}

export interface TicketRef {
  owner: string;
  repo: string;
  issueNumber: number;
}

/** The mirror right after its fetch, for decisions that depend on the default branch's content. */
export interface MirrorState {
  gitDir: string;
  defaultBranch: string;
  headSha: string;
  /** Whether a branch of this name exists, locally (an earlier workspace) or on the remote. */
  hasBranch(branch: string): Promise<boolean>;
}

export interface AcquireRequest extends TicketRef {
  /** https clone URL without credentials, e.g. https://github.com/o/r.git. */
  cloneUrl: string;
  /** The ticket's branch, or a function choosing it once the mirror is fetched. */
  branch: string | ((mirror: MirrorState) => Promise<string>);
  token: string;
  /** Called before a repository is cloned for the first time (e.g. to refuse one that is too large). */
  beforeClone?: () => Promise<void>;
  /**
   * The default branch as the webhook reported it. When the fetched mirror has it, asking the
   * remote (a second network round trip) is skipped.
   */
  defaultBranchHint?: string | undefined;
  /** A branch the caller knows this ticket created; found on the remote, it is resumed, not refused. */
  ownBranch?: string | undefined;
}

export interface TicketWorkspace {
  path: string;
  /** The bare mirror: read the default branch's files from here, never from the ticket branch. */
  gitDir: string;
  /** The branch checked out in the workspace. */
  branch: string;
  defaultBranch: string;
  /** The default branch's sha as of this acquisition's fetch. */
  headSha: string;
  /** A new worktree was made (disk use grew), rather than an existing one reused. */
  created: boolean;
}

// GitHub's own rules for owner and repository names; they also keep paths inside the root.
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const REMOTE_PREFIX = 'refs/remotes/origin/';
// Marks a branch as created by ticketsmith for one issue, in the mirror's (local, token-free) config.
const MARKER_KEY = 'ticketsmithissue';

interface WorktreeEntry {
  path: string;
  branch?: string;
}

export class WorkspaceManager {
  readonly root: string;
  private readonly log: WorkspaceLog | undefined;
  private readonly lockOptions: LockOptions;
  private readonly gitTimeoutMs: number | undefined;

  constructor(options: WorkspaceManagerOptions) {
    this.root = options.root;
    this.log = options.log;
    this.lockOptions = options.lock ?? {};
    this.gitTimeoutMs = options.gitTimeoutMs;
  }

  private resolvedRoot: Promise<string> | undefined;

  /** TICKETS_ROOT with symlinks resolved, so our paths compare equal to the ones git reports. */
  private realRoot(): Promise<string> {
    this.resolvedRoot ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    // A failure (e.g. permissions) must not be cached forever.
    this.resolvedRoot.catch(() => (this.resolvedRoot = undefined));
    return this.resolvedRoot;
  }

  async mirrorPath(owner: string, repo: string): Promise<string> {
    return join(await this.realRoot(), '.mirrors', owner, `${repo}.git`);
  }

  async ticketPath(ticket: TicketRef): Promise<string> {
    return join(await this.realRoot(), ticket.owner, ticket.repo, String(ticket.issueNumber));
  }

  async acquireTicketWorkspace(request: AcquireRequest): Promise<TicketWorkspace> {
    validateTicket(request);
    validateCloneUrl(request.cloneUrl);
    if (typeof request.branch === 'string') this.validateBranch(request.branch);
    const mirror = await this.mirrorPath(request.owner, request.repo);
    const path = await this.ticketPath(request);
    const repoName = `${request.owner}/${request.repo}`;
    await mkdir(dirname(mirror), { recursive: true });
    return this.locked(mirror, async () => {
      await this.updateMirror(mirror, request, repoName);
      const { defaultBranch, headSha } = await this.defaultBranch(mirror, request, repoName);
      const wanted =
        typeof request.branch === 'string'
          ? request.branch
          : await request.branch({
              gitDir: mirror,
              defaultBranch,
              headSha,
              hasBranch: async (name) => (await this.refExists(mirror, `refs/heads/${name}`)) || this.refExists(mirror, `${REMOTE_PREFIX}${name}`),
            });
      if (typeof request.branch !== 'string') this.validateBranch(wanted);
      const { branch, created } = await this.ensureWorktree(mirror, path, { ...request, branch: wanted }, defaultBranch, repoName);
      await assertNotLfsOnly(path, repoName);
      return { path, gitDir: mirror, branch, defaultBranch, headSha, created };
    });
  }

  /** Deletes the ticket's tree; its branch stays in the mirror, so committed work survives. */
  async removeTicketWorkspace(ticket: TicketRef): Promise<void> {
    validateTicket(ticket);
    const mirror = await this.mirrorPath(ticket.owner, ticket.repo);
    const path = await this.ticketPath(ticket);
    if (!(await exists(join(mirror, 'HEAD')))) {
      await rm(path, { recursive: true, force: true });
      return;
    }
    await this.locked(mirror, async () => {
      const registered = (await this.worktrees(mirror)).some((entry) => entry.path === path);
      if (registered) await this.git(['worktree', 'remove', '--force', '--force', path], mirror);
      await rm(path, { recursive: true, force: true });
      await this.git(['worktree', 'prune'], mirror);
    });
  }

  diskUsage(path: string): Promise<number> {
    return diskUsage(path);
  }

  private async locked<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withLock(`${mirror}.lock`, fn, this.lockOptions);
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        throw new WorkspaceError('lock_timeout', 'Timed out waiting for another job to finish with the repository mirror.', { cause: error });
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new WorkspaceError('disk_full', 'The disk holding ticket workspaces is full.', { cause: error });
      }
      throw error;
    }
  }

  private gitOptions(cwd: string, token?: string): RunGitOptions {
    return { cwd, ...(this.gitTimeoutMs ? { timeoutMs: this.gitTimeoutMs } : {}), ...(token ? { token } : {}) };
  }

  private git(args: string[], cwd: string, extra: Partial<RunGitOptions> = {}) {
    return runGit(args, { ...this.gitOptions(cwd), ...extra });
  }

  private async updateMirror(mirror: string, request: AcquireRequest, repoName: string): Promise<void> {
    const { cloneUrl, token } = request;
    if (await exists(join(mirror, 'HEAD'))) {
      // The per-ticket hot path runs the CLI directly: simple-git waits an extra 50 ms after every
      // command that prints nothing, which is most of what a no-op fetch costs.
      try {
        // Fetching from the URL itself follows a transferred or renamed repository (the objects
        // stay valid) without rewriting the config on every command.
        await this.git(['fetch', '--prune', '--quiet', cloneUrl, `+refs/heads/*:${REMOTE_PREFIX}*`], mirror, { token });
      } catch (error) {
        throw classifyGitFailure(error, repoName, 'fetch');
      }
      return;
    }
    await request.beforeClone?.();
    // Clone beside the final path and rename, so a crash never leaves a half-made mirror that
    // later acquisitions would trust.
    const staging = `${mirror}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(staging, { recursive: true });
      try {
        await withSimpleGit('clone', this.gitOptions(staging, token), async (git) => {
          await git.init(true, ['--quiet']);
          await git.addConfig('remote.origin.url', cloneUrl);
          await git.addConfig('remote.origin.fetch', `+refs/heads/*:${REMOTE_PREFIX}*`);
          await git.fetch(['--quiet', 'origin']);
        });
      } catch (error) {
        throw classifyGitFailure(error, repoName, 'clone');
      }
      await rename(staging, mirror);
      this.log?.info({ mirror }, 'created repository mirror');
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async defaultBranch(mirror: string, request: AcquireRequest, repoName: string): Promise<{ defaultBranch: string; headSha: string }> {
    const hint = request.defaultBranchHint;
    if (hint) {
      const headSha = await this.resolveCommit(mirror, `${REMOTE_PREFIX}${hint}`);
      if (headSha) return { defaultBranch: hint, headSha };
    }
    try {
      // Without a hint (or with a stale one) the remote is asked: a default branch can be renamed.
      await withSimpleGit('remote', this.gitOptions(mirror, request.token), async (git) => {
        await git.addConfig('remote.origin.url', request.cloneUrl);
        await git.remote(['set-head', 'origin', '--auto']);
      });
    } catch (error) {
      if (error instanceof GitError && /Cannot determine remote HEAD|not a valid ref/i.test(error.stderr)) {
        throw new WorkspaceError('empty_repository', `The repository ${repoName} has no default branch yet.`, { cause: error });
      }
      throw classifyGitFailure(error, repoName, 'fetch');
    }
    const ref = (await this.git(['symbolic-ref', 'refs/remotes/origin/HEAD'], mirror)).stdout.trim();
    const defaultBranch = ref.slice(REMOTE_PREFIX.length);
    const headSha = await this.resolveCommit(mirror, ref);
    if (!headSha) throw new WorkspaceError('empty_repository', `The repository ${repoName} has no default branch yet.`);
    return { defaultBranch, headSha };
  }

  private resolveCommit(mirror: string, ref: string): Promise<string | undefined> {
    return this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], mirror).then(
      (result) => result.stdout.trim() || undefined,
      () => undefined,
    );
  }

  private async ensureWorktree(
    mirror: string,
    path: string,
    request: TicketRef & { branch: string; ownBranch?: string | undefined },
    defaultBranch: string,
    repoName: string,
  ): Promise<{ branch: string; created: boolean }> {
    const { branch } = request;
    let entries = await this.worktrees(mirror);
    const existing = entries.find((entry) => entry.path === path);
    if (existing && (await exists(join(path, '.git')))) {
      const current = existing.branch?.replace(/^refs\/heads\//, '') ?? branch;
      if (current !== branch) this.log?.warn({ path, current, requested: branch }, 'ticket workspace kept on its existing branch');
      await this.catchUp(path, `${REMOTE_PREFIX}${defaultBranch}`);
      return { branch: current, created: false };
    }
    if (existing || (await exists(path))) {
      // Left behind by a crash or a manual deletion; the branch ref in the mirror still holds the work.
      this.log?.warn({ path }, 'recreating a broken ticket workspace');
      await rm(path, { recursive: true, force: true });
      await this.git(['worktree', 'prune'], mirror);
      entries = await this.worktrees(mirror);
    }

    await mkdir(dirname(path), { recursive: true });
    const localRef = `refs/heads/${branch}`;
    if (await this.refExists(mirror, localRef)) {
      const owner = await this.git(['config', '--get', `branch.${branch}.${MARKER_KEY}`], mirror).then(
        (result) => result.stdout.trim(),
        () => '',
      );
      const checkedOut = entries.some((entry) => entry.branch === localRef);
      if (owner !== String(request.issueNumber) || checkedOut) {
        throw new WorkspaceError('branch_collision', `The branch ${branch} in ${repoName} already belongs to another ticket.`);
      }
      await this.git(['worktree', 'add', '--quiet', path, branch], mirror);
      return { branch, created: true };
    }

    let start = `${REMOTE_PREFIX}${defaultBranch}`;
    if (await this.refExists(mirror, `${REMOTE_PREFIX}${branch}`)) {
      // A pushed branch from an earlier workspace of this ticket (the caller says so, or our own
      // naming scheme does): resume it.
      if (branch !== request.ownBranch && !branch.startsWith('ticketsmith/')) {
        throw new WorkspaceError('branch_collision', `The branch ${branch} already exists in ${repoName} and was not created by ticketsmith.`);
      }
      start = `${REMOTE_PREFIX}${branch}`;
    }
    await this.git(['worktree', 'add', '--quiet', '--no-track', '-b', branch, path, start], mirror);
    await this.git(['config', `branch.${branch}.${MARKER_KEY}`, String(request.issueNumber)], mirror);
    this.log?.info({ path, branch, start }, 'created ticket workspace');
    return { branch, created: true };
  }

  /**
   * A branch without commits of its own follows the default branch, so a follow-up command sees
   * the code as it is now. A branch with its own work is left alone: merging is a decision.
   */
  private async catchUp(path: string, target: string): Promise<void> {
    const behind = await this.git(['merge-base', '--is-ancestor', 'HEAD', target], path).then(
      () => true,
      () => false,
    );
    if (!behind) return;
    try {
      await this.git(['merge', '--ff-only', '--quiet', target], path);
    } catch (error) {
      this.log?.warn({ path, err: error }, 'could not fast-forward the ticket workspace; it stays on its current commit');
    }
  }

  private async refExists(mirror: string, ref: string): Promise<boolean> {
    return this.git(['show-ref', '--verify', '--quiet', ref], mirror).then(
      () => true,
      () => false,
    );
  }

  private async worktrees(mirror: string): Promise<WorktreeEntry[]> {
    const { stdout } = await this.git(['worktree', 'list', '--porcelain'], mirror);
    const entries: WorktreeEntry[] = [];
    for (const block of stdout.split('\n\n')) {
      const entry: WorktreeEntry = { path: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('worktree ')) entry.path = line.slice('worktree '.length);
        else if (line.startsWith('branch ')) entry.branch = line.slice('branch '.length);
      }
      if (entry.path) entries.push(entry);
    }
    return entries;
  }

  private validateBranch(branch: string): void {
    if (!isValidBranchName(branch)) throw new WorkspaceError('invalid_input', `The branch name ${JSON.stringify(branch)} is not valid.`);
  }
}

function validateTicket(ticket: TicketRef): void {
  const badName = [ticket.owner, ticket.repo].some((name) => !NAME.test(name) || name === '.' || name === '..');
  if (badName || !Number.isSafeInteger(ticket.issueNumber) || ticket.issueNumber <= 0) {
    throw new WorkspaceError('invalid_input', 'The ticket does not name a valid repository and issue.');
  }
}

function validateCloneUrl(cloneUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(cloneUrl);
  } catch {
    url = undefined;
  }
  // Credentials in the URL would be written to the mirror's config on disk.
  if (!url || !['https:', 'http:'].includes(url.protocol) || url.username || url.password) {
    throw new WorkspaceError('invalid_input', 'The clone URL must be an http(s) URL without credentials.');
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

// A pointer file is tiny and starts with this line; git-lfs itself is not run (it would fetch the
// media with the token from a second server), so such files stay pointers in the workspace.
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/** Refuses a repository whose files are all Git LFS pointers: the agent would see no real content. */
async function assertNotLfsOnly(path: string, repoName: string): Promise<void> {
  const attributes = await readFile(join(path, '.gitattributes'), 'utf8').catch(() => '');
  if (!/filter=lfs/.test(attributes)) return;
  const { stdout } = await runGit(['ls-files', '-z', '--', ':!:.git*'], { cwd: path });
  const files = stdout.split('\0').filter(Boolean).slice(0, 200);
  if (files.length === 0) return;
  for (const file of files) {
    const head = await readHead(join(path, file), LFS_POINTER.length);
    if (head !== LFS_POINTER) return;
  }
  throw new WorkspaceError('lfs_only', `Every file of ${repoName} is stored in Git LFS, which ticketsmith does not download; there is no source for the agent to read.`);
}

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
