// Keeps TICKETS_ROOT under WORKSPACE_MAX_GB by removing the least recently used ticket workspaces.
// A workspace whose ticket has a run in progress is never removed, and neither is the one the
// caller is about to use. Removing a workspace loses nothing: its branch stays in the mirror.
import type { Knex } from 'knex';
import { listWorkspaceHolders, setWorkspaceUsed } from '../db/tickets.ts';
import type { Logger } from '../log.ts';
import type { WorkspaceManager } from './workspaces.ts';

export interface EvictionCandidate {
  ticketId: number;
  bytes: number;
  /** A run of the ticket is in progress, or the caller is using it. */
  pinned: boolean;
}

/** Pure: which candidates (given least recently used first) to remove to get `usedBytes` under `maxBytes`. */
export function chooseEvictions(candidates: readonly EvictionCandidate[], usedBytes: number, maxBytes: number): number[] {
  const chosen: number[] = [];
  let used = usedBytes;
  for (const candidate of candidates) {
    if (used <= maxBytes) break;
    if (candidate.pinned) continue;
    chosen.push(candidate.ticketId);
    used -= candidate.bytes;
  }
  return chosen;
}

export interface BudgetDeps {
  knex: Knex;
  workspaces: WorkspaceManager;
  maxBytes: number;
  log: Pick<Logger, 'info' | 'warn'>;
}

export interface BudgetResult {
  usedBytes: number;
  evicted: string[];
}

export async function enforceWorkspaceBudget(deps: BudgetDeps, inUseTicketId?: number): Promise<BudgetResult> {
  const { workspaces } = deps;
  const usedBytes = await workspaces.diskUsage(workspaces.root);
  if (usedBytes <= deps.maxBytes) return { usedBytes, evicted: [] };

  const holders = await listWorkspaceHolders(deps.knex);
  const candidates = await Promise.all(
    holders.map(async ({ ticket, busy }) => {
      const [owner = '', repo = ''] = ticket.repo.split('/');
      const path = await workspaces.ticketPath({ owner, repo, issueNumber: ticket.issueNumber });
      return { ticket, path, candidate: { ticketId: ticket.id, bytes: await workspaces.diskUsage(path), pinned: busy || ticket.id === inUseTicketId } };
    }),
  );
  const chosen = new Set(chooseEvictions(candidates.map((c) => c.candidate), usedBytes, deps.maxBytes));
  const evicted: string[] = [];
  for (const { ticket, path } of candidates.filter((c) => chosen.has(c.ticket.id))) {
    const [owner = '', repo = ''] = ticket.repo.split('/');
    await workspaces.removeTicketWorkspace({ owner, repo, issueNumber: ticket.issueNumber });
    await setWorkspaceUsed(deps.knex, ticket.id, false);
    evicted.push(path);
  }
  if (evicted.length > 0) deps.log.info({ evicted, usedBytes, maxBytes: deps.maxBytes }, 'evicted least recently used workspaces');
  else deps.log.warn({ usedBytes, maxBytes: deps.maxBytes }, 'workspaces exceed the disk budget but every one is in use');
  return { usedBytes, evicted };
}
