import type { Knex } from 'knex';

export interface Ticket {
  id: number;
  repo: string;
  issueNumber: number;
  title: string;
  installationId: number;
  branch: string;
  state: 'open' | 'closed';
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

