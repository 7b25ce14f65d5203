// Rows most db tests need: a ticket, and runs on it. Every call uses fresh keys, so tests that
// share a database never see each other's rows.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createTicketRun, getRun, type Run, type RunInput } from '../../src/db/runs.ts';
import { getTicket, upsertTicket, type Ticket } from '../../src/db/tickets.ts';

let issueCounter = 0;

export async function seedTicket(knex: Knex, overrides: Partial<Parameters<typeof upsertTicket>[1]> = {}): Promise<Ticket> {
  issueCounter += 1;
  return upsertTicket(knex, {
    repo: `octo/repo-${randomUUID().slice(0, 8)}`,
    issueNumber: issueCounter,
    title: `Issue ${issueCounter}`,
    installationId: 4242,
    branch: `ticketsmith/issue-${issueCounter}`,
    ...overrides,
  });
}

/** A run on an existing ticket, created the way intake creates it (createTicketRun). */
export async function seedRun(knex: Knex, ticketId: number, overrides: Partial<Omit<RunInput, 'ticketId'>> = {}): Promise<Run> {
  const ticket = await getTicket(knex, ticketId);
  if (!ticket) throw new Error(`seedRun: no ticket ${ticketId}`);
  const created = await createTicketRun(knex, {
    ticket: { repo: ticket.repo, issueNumber: ticket.issueNumber, title: ticket.title, installationId: ticket.installationId, branch: ticket.branch },
    deliveryId: randomUUID(),
    command: 'chat',
    args: 'what broke?',
    requester: 'octocat',
    triggerCommentId: 1001,
    triggerCreatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...overrides,
  });
  return (await getRun(knex, created!.runId))!;
}
