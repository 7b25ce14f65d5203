// Step "clone" of every repository-aware command: the ticket's workspace, fetched fresh, and the
// repository's settings read from the default branch at the fetched commit — never from the
// ticket branch or a pull request, which anyone able to push a branch could have written.
import type { Knex } from 'knex';
import { recordTicketBranch, setWorkspaceUsed, type Ticket } from '../db/tickets.ts';
import { UserFacingError } from '../errors.ts';
import type { RepoGateway } from '../github/repo-gateway.ts';
import type { Logger } from '../log.ts';
import { readRepoSettings, type RepoSettings } from '../repo/repo-settings.ts';
import { branchNameFromTemplate, DEFAULT_BRANCH_TEMPLATE } from '../workspace/branch-name.ts';
import { enforceWorkspaceBudget } from '../workspace/eviction.ts';
import { WorkspaceError, type TicketWorkspace, type WorkspaceManager } from '../workspace/workspaces.ts';

export interface OpenWorkspaceDeps {
  knex: Knex;
  gateway: RepoGateway;
  workspaces: WorkspaceManager;
  log: Logger;
  limits: { repoMaxBytes: number; maxBytes: number };
}

export interface OpenedWorkspace {
  workspace: TicketWorkspace;
  settings: RepoSettings;
}

export async function openTicketWorkspace(deps: OpenWorkspaceDeps, ticket: Ticket): Promise<OpenedWorkspace> {
  if (!ticket.cloneUrl) {
    throw new UserFacingError("The webhook for this issue did not include the repository's clone URL (repository.clone_url), so ticketsmith cannot clone it.");
  }
  const { gateway } = deps;
  const token = await gateway.installationToken();
  let settings: RepoSettings | undefined;
  const workspace = await deps.workspaces.acquireTicketWorkspace({
    owner: gateway.owner,
    repo: gateway.repo,
    issueNumber: ticket.issueNumber,
    cloneUrl: ticket.cloneUrl,
    token,
    beforeClone: () => refuseOversizedRepository(gateway, deps.limits.repoMaxBytes),
    defaultBranchHint: ticket.defaultBranch,
    // A branch this ticket made earlier (perhaps on another node) may be resumed from the remote.
    ownBranch: ticket.branchCreatedAt ? ticket.branch : undefined,
    branch: async (mirror) => {
      settings = await readRepoSettings(mirror.gitDir, mirror.headSha);
      // A ticket keeps the branch it started on, even if the repository's template changes later.
      if (await mirror.hasBranch(ticket.branch)) return ticket.branch;
      return branchNameFromTemplate(settings.config.branchTemplate ?? DEFAULT_BRANCH_TEMPLATE, ticket.issueNumber, ticket.title);
    },
  });
  if (!settings) throw new Error('repository settings were not read');
  if (workspace.branch !== ticket.branch || (workspace.created && !ticket.branchCreatedAt)) await recordTicketBranch(deps.knex, ticket.id, workspace.branch);
  await setWorkspaceUsed(deps.knex, ticket.id, true);
  // Only a new worktree grows the disk, so only then can the budget be crossed. Eviction never
  // fails the run: a failure here only means the disk stays fuller for a while.
  if (workspace.created) {
    await enforceWorkspaceBudget({ knex: deps.knex, workspaces: deps.workspaces, maxBytes: deps.limits.maxBytes, log: deps.log }, ticket.id).catch((error: unknown) =>
      deps.log.warn({ err: error }, 'could not enforce the workspace disk budget'),
    );
  }
  return { workspace, settings };
}

async function refuseOversizedRepository(gateway: RepoGateway, maxBytes: number): Promise<void> {
  const { sizeBytes } = await gateway.getRepository();
  if (sizeBytes <= maxBytes) return;
  const mb = (bytes: number) => {
    // One decimal below 10 MB, so 1.4 MB never reads as "1 MB, more than the 1 MB allowed".
    const value = bytes / 1024 ** 2;
    return value < 10 ? String(Math.round(value * 10) / 10) : Math.round(value).toLocaleString('en-US');
  };
  throw new WorkspaceError(
    'too_large',
    `${gateway.owner}/${gateway.repo} is about ${mb(sizeBytes)} MB, more than the ${mb(maxBytes)} MB ticketsmith is configured to clone (REPO_MAX_MB).`,
  );
}
