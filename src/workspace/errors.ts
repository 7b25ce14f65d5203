// Workspace failures in one token-free sentence, with a hint whether retrying could help.
import { GitError } from './git-cli.ts';

export type WorkspaceErrorCode =
  | 'invalid_input'
  | 'auth_failed'
  | 'repo_not_found'
  | 'empty_repository'
  | 'branch_collision'
  | 'network'
  | 'timeout'
  | 'lock_timeout'
  | 'too_large'
  | 'lfs_only'
  | 'disk_full'
  | 'git_failed';

const PERMANENT: ReadonlySet<WorkspaceErrorCode> = new Set(['invalid_input', 'repo_not_found', 'empty_repository', 'branch_collision', 'too_large', 'lfs_only']);

export class WorkspaceError extends Error {
  readonly code: WorkspaceErrorCode;
  /** Retrying the same acquisition cannot help (unlike a network blip or an expired token). */
  readonly permanent: boolean;

  constructor(code: WorkspaceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkspaceError';
    this.code = code;
    this.permanent = PERMANENT.has(code);
  }
}

/** Turns a failed clone/fetch into a WorkspaceError; GitError output is already token-free. */
export function classifyGitFailure(error: unknown, repoName: string, action: string): WorkspaceError {
  if (!(error instanceof GitError)) return new WorkspaceError('git_failed', `Could not ${action} ${repoName}.`, { cause: error });
  const stderr = error.stderr;
  if (/No space left on device|ENOSPC|Disk quota exceeded/i.test(stderr)) {
    return new WorkspaceError('disk_full', `The disk holding ticket workspaces is full, so git could not ${action} ${repoName}.`, { cause: error });
  }
  if (error.timedOut) return new WorkspaceError('timeout', `Timed out trying to ${action} ${repoName}.`, { cause: error });
  if (/Authentication failed|HTTP 40[13]|could not read (Username|Password)|terminal prompts disabled|Permission denied|Write access/i.test(stderr)) {
    return new WorkspaceError('auth_failed', `GitHub refused the credentials used to ${action} ${repoName}.`, { cause: error });
  }
  if (/repository .* not found|Repository not found|HTTP 404|does not appear to be a git repository/i.test(stderr)) {
    return new WorkspaceError('repo_not_found', `The repository ${repoName} was not found.`, { cause: error });
  }
  if (/Could not resolve host|Connection refused|Failed to connect|Connection timed out|SSL|TLS|early EOF|RPC failed/i.test(stderr)) {
    return new WorkspaceError('network', `A network error stopped git from trying to ${action} ${repoName}.`, { cause: error });
  }
  return new WorkspaceError('git_failed', `git failed to ${action} ${repoName} (${error.message}).`, { cause: error });
}
