// Removes the workspace of a ticket whose issue closed or whose pull request was merged or closed.
// A ticket with a run in progress keeps its workspace: the run removes it when it ends (see
// removeWorkspaceIfClosed), so cleanup never pulls files from under a working agent.
import { closeTicket, findTicketByBranch, getTicket, setWorkspaceUsed, type Ticket } from '../db/tickets.ts';
import { hasRunningRun } from '../db/runs.ts';
import type { Services } from '../services.ts';
import { CleanupJobSchema } from './jobs.ts';
import type { WorkerJob } from './run-worker.ts';

export async function executeCleanupJob(services: Services, job: WorkerJob): Promise<void> {
  const { repo, target } = CleanupJobSchema.parse(job.data);
  const { knex } = services.db;
  const found = target.kind === 'issue' ? await closeTicket(knex, repo, target.issueNumber) : await findTicketByBranch(knex, repo, target.branch);
  if (!found) return;
  const ticket = target.kind === 'branch' ? await closeTicket(knex, repo, found.issueNumber) : found;
  if (!ticket) return;
  if (await hasRunningRun(knex, ticket.id)) {
    services.log.info({ ticketId: ticket.id }, 'workspace cleanup deferred until the running run ends');
    return;
  }
  await removeTicketWorkspace(services, ticket);
}

/** Called when a run ends: a ticket closed meanwhile loses its workspace now. */
export async function removeWorkspaceIfClosed(services: Services, ticketId: number): Promise<void> {
  const ticket = await getTicket(services.db.knex, ticketId);
  if (ticket?.state === 'closed') await removeTicketWorkspace(services, ticket);
}

async function removeTicketWorkspace(services: Services, ticket: Ticket): Promise<void> {
  const [owner = '', repo = ''] = ticket.repo.split('/');
  await services.workspaces.removeTicketWorkspace({ owner, repo, issueNumber: ticket.issueNumber });
  await setWorkspaceUsed(services.db.knex, ticket.id, false);
  services.log.info({ ticketId: ticket.id, repo: ticket.repo, issue: ticket.issueNumber }, 'removed the workspace of a closed ticket');
}
