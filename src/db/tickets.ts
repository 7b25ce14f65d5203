import type { Knex } from 'knex';

export interface Ticket {
  id: number;
  repo: string;
  issueNumber: number;
  title: string;
  installationId: number;
  branch: string;
  state: 'open' | 'closed';
  /** From the webhook payload; undefined for tickets made before it was recorded. */
  cloneUrl: string | undefined;
  htmlUrl: string | undefined;
  /** As the latest webhook reported it; a hint that saves a network round trip per fetch. */
  defaultBranch: string | undefined;
  workspaceUsedAt: Date | undefined;
  /** When a workspace first made (or took over) the ticket's branch. */
  branchCreatedAt: Date | undefined;
  createdAt: Date;
  updatedAt: Date;
}

interface TicketRow {
  id: number;
  repo: string;
  issue_number: number;
  title: string;
  installation_id: number | string;
  branch: string;
  state: 'open' | 'closed';
  clone_url: string | null;
  html_url: string | null;
  default_branch: string | null;
  workspace_used_at: Date | null;
  branch_created_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toTicket = (row: TicketRow): Ticket => ({
  id: row.id,
  repo: row.repo,
  issueNumber: row.issue_number,
  title: row.title,
  installationId: Number(row.installation_id),
  branch: row.branch,
  state: row.state,
  cloneUrl: row.clone_url ?? undefined,
  htmlUrl: row.html_url ?? undefined,
  defaultBranch: row.default_branch ?? undefined,
  workspaceUsedAt: row.workspace_used_at ? new Date(row.workspace_used_at) : undefined,
  branchCreatedAt: row.branch_created_at ? new Date(row.branch_created_at) : undefined,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export interface TicketInput {
  repo: string;
  issueNumber: number;
  title: string;
  installationId: number;
  branch: string;
}

/** One row per issue; a later command refreshes the title and installation but keeps the branch. */
export async function upsertTicket(knex: Knex, input: TicketInput): Promise<Ticket> {
  const [row] = await knex<TicketRow>('tickets')
    .insert({
      repo: input.repo,
      issue_number: input.issueNumber,
      title: input.title,
      installation_id: input.installationId,
      branch: input.branch,
    })
    .onConflict(['repo', 'issue_number'])
    .merge({ title: input.title, installation_id: input.installationId, updated_at: knex.fn.now() } as never)
    .returning('*');
  if (!row) throw new Error(`Upserting ticket ${input.repo}#${input.issueNumber} returned nothing`);
  return toTicket(row as TicketRow);
}

export async function getTicket(knex: Knex, id: number): Promise<Ticket | undefined> {
  const row = await knex<TicketRow>('tickets').where({ id }).first();
  return row ? toTicket(row as TicketRow) : undefined;
}

export async function findTicket(knex: Knex, repo: string, issueNumber: number): Promise<Ticket | undefined> {
  const row = await knex<TicketRow>('tickets').where({ repo, issue_number: issueNumber }).first();
  return row ? toTicket(row as TicketRow) : undefined;
}


/** Marks an issue's ticket closed; returns it when there is one. */
export async function closeTicket(knex: Knex, repo: string, issueNumber: number): Promise<Ticket | undefined> {
  const [row] = await knex<TicketRow>('tickets').where({ repo, issue_number: issueNumber }).update({ state: 'closed', updated_at: knex.fn.now() } as never).returning('*');
  return row ? toTicket(row as TicketRow) : undefined;
}

export async function findTicketByBranch(knex: Knex, repo: string, branch: string): Promise<Ticket | undefined> {
  const row = await knex<TicketRow>('tickets').where({ repo, branch }).first();
  return row ? toTicket(row as TicketRow) : undefined;
}

/**
 * Records the branch a workspace made for the ticket. The name is final from then on (the
 * repository's template may have changed it from the one intake guessed).
 */
export async function recordTicketBranch(knex: Knex, id: number, branch: string): Promise<void> {
  await knex('tickets')
    .where({ id })
    .update({ branch, branch_created_at: knex.raw('COALESCE(branch_created_at, now())') });
}

/** Records that the ticket's workspace exists and was just used (undefined: it was removed). */
export async function setWorkspaceUsed(knex: Knex, id: number, used: boolean): Promise<void> {
  await knex('tickets').where({ id }).update({ workspace_used_at: used ? knex.fn.now() : null });
}

export interface WorkspaceHolder {
  ticket: Ticket;
  /** A run of this ticket is running: its workspace must stay. */
  busy: boolean;
}

/** Tickets that have a workspace, least recently used first. */
export async function listWorkspaceHolders(knex: Knex): Promise<WorkspaceHolder[]> {
  const rows = await knex('tickets')
    .whereNotNull('workspace_used_at')
    .orderBy('workspace_used_at', 'asc')
    .select('tickets.*', knex.raw(`EXISTS (SELECT 1 FROM runs WHERE runs.ticket_id = tickets.id AND runs.state = 'running') AS busy`));
  return rows.map((row: TicketRow & { busy: boolean }) => ({ ticket: toTicket(row), busy: Boolean(row.busy) }));
}
