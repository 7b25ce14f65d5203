import type { Knex } from 'knex';

export const RUN_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const FINAL_RUN_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled'];

export interface Run {
  id: number;
  ticketId: number;
  deliveryId: string;
  command: string;
  args: string;
  requester: string;
  triggerCommentId: number;
  triggerCreatedAt: Date;
  state: RunState;
  error: string | null;
  trackingCommentId: number | null;
  attempts: number;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  costKnown: boolean;
  cancelRequestedAt: Date | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

type RunRow = Record<string, unknown>;

const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string));
const num = (value: unknown): number => Number(value ?? 0);

const toRun = (row: RunRow): Run => ({
  id: num(row.id),
  ticketId: num(row.ticket_id),
  deliveryId: String(row.delivery_id),
  command: String(row.command),
  args: String(row.args),
  requester: String(row.requester),
  triggerCommentId: num(row.trigger_comment_id),
  triggerCreatedAt: date(row.trigger_created_at) ?? new Date(0),
  state: row.state as RunState,
  error: (row.error as string | null) ?? null,
  trackingCommentId: row.tracking_comment_id === null ? null : num(row.tracking_comment_id),
  attempts: num(row.attempts),
  model: (row.model as string | null) ?? null,
  inputTokens: num(row.input_tokens),
  outputTokens: num(row.output_tokens),
  cachedInputTokens: num(row.cached_input_tokens),
  costUsd: num(row.cost_usd),
  costKnown: Boolean(row.cost_known),
  cancelRequestedAt: date(row.cancel_requested_at),
  queuedAt: date(row.queued_at) ?? new Date(0),
  startedAt: date(row.started_at),
  finishedAt: date(row.finished_at),
});

export interface RunInput {
  ticketId: number;
  deliveryId: string;
  command: string;
  args: string;
  requester: string;
  triggerCommentId: number;
  triggerCreatedAt: Date;
}

export interface TicketRunInput extends Omit<RunInput, 'ticketId'> {
  ticket: { repo: string; issueNumber: number; title: string; installationId: number; branch: string; cloneUrl?: string | undefined; htmlUrl?: string | undefined; defaultBranch?: string | undefined };
  /**
   * Record the webhook delivery in the same statement (intake's hot path). The run is then created
   * only if the delivery is new, so a redelivery creates nothing and the result is undefined.
   */
  delivery?: { event: string; action: string };
}

/**
 * Upserts the ticket and creates the run in one statement. Idempotent on the delivery id: called
 * again for the same delivery, it returns the run the first call made (or, when recording the
 * delivery, nothing). The run waits in the outbox (enqueued_at NULL) for the dispatcher.
 */
export async function createTicketRun(knex: Knex, input: TicketRunInput): Promise<{ runId: number; ticketId: number } | undefined> {
  const { ticket, delivery } = input;
  const recordDelivery = delivery
    ? `delivery AS (
         INSERT INTO deliveries (delivery_id, event, action, outcome, completed_at) VALUES (?, ?, ?, 'queued', now())
         ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id
       ),`
    : '';
  const result = await knex.raw(
    `WITH ${recordDelivery} ticket AS (
       INSERT INTO tickets (repo, issue_number, title, installation_id, branch, clone_url, html_url, default_branch)
       SELECT ?, ?, ?, ?, ?, ?, ?, ? ${delivery ? 'WHERE EXISTS (SELECT 1 FROM delivery)' : ''}
       ON CONFLICT (repo, issue_number) DO UPDATE SET title = EXCLUDED.title, installation_id = EXCLUDED.installation_id,
         clone_url = COALESCE(EXCLUDED.clone_url, tickets.clone_url), html_url = COALESCE(EXCLUDED.html_url, tickets.html_url),
         default_branch = COALESCE(EXCLUDED.default_branch, tickets.default_branch),
         state = 'open', updated_at = now()
       RETURNING id
     ), inserted AS (
       INSERT INTO runs (ticket_id, delivery_id, command, args, requester, trigger_comment_id, trigger_created_at)
       SELECT ticket.id, ?, ?, ?, ?, ?, ? FROM ticket
       ON CONFLICT (delivery_id) DO NOTHING
       RETURNING id, ticket_id
     )
     SELECT id, ticket_id FROM inserted
     ${delivery ? '' : 'UNION ALL SELECT id, ticket_id FROM runs WHERE delivery_id = ?'}
     LIMIT 1`,
    [
      ...(delivery ? [input.deliveryId, delivery.event, delivery.action] : []),
      ticket.repo, ticket.issueNumber, ticket.title, ticket.installationId, ticket.branch, ticket.cloneUrl ?? null, ticket.htmlUrl ?? null, ticket.defaultBranch ?? null,
      input.deliveryId, input.command, input.args, input.requester, input.triggerCommentId, input.triggerCreatedAt,
      ...(delivery ? [] : [input.deliveryId]),
    ],
  );
  const row = (result.rows ?? result)[0] as { id: number; ticket_id: number } | undefined;
  return row ? { runId: Number(row.id), ticketId: Number(row.ticket_id) } : undefined;
}

export interface PendingRun {
  id: number;
  ticketId: number;
  deliveryId: string;
}

/** Runs committed by intake but not yet handed to the queue, oldest first. */
export async function listUnenqueuedRuns(knex: Knex, limit: number): Promise<PendingRun[]> {
  const rows = await knex('runs').whereNull('enqueued_at').orderBy('id').limit(limit).select('id', 'ticket_id', 'delivery_id');
  return rows.map((r) => ({ id: Number(r.id), ticketId: Number(r.ticket_id), deliveryId: String(r.delivery_id) }));
}

export async function markRunsEnqueued(knex: Knex, ids: number[]): Promise<void> {
  if (ids.length > 0) await knex('runs').whereIn('id', ids).update({ enqueued_at: knex.fn.now() });
}

export async function getRun(knex: Knex, id: number): Promise<Run | undefined> {
  const row = await knex('runs').where({ id }).first();
  return row ? toRun(row) : undefined;
}

/** Moves a queued (or retried) run to running and counts the attempt; returns undefined if it already ended. */
export async function startRun(knex: Knex, id: number): Promise<Run | undefined> {
  const [row] = await knex('runs')
    .where({ id })
    .whereIn('state', ['queued', 'running'])
    .update({ state: 'running', attempts: knex.raw('attempts + 1'), started_at: knex.raw('COALESCE(started_at, now())') })
    .returning('*');
  return row ? toRun(row) : undefined;
}

export async function setTrackingComment(knex: Knex, id: number, commentId: number): Promise<void> {
  await knex('runs').where({ id }).update({ tracking_comment_id: commentId });
}

export async function setRunModel(knex: Knex, id: number, model: string): Promise<void> {
  await knex('runs').where({ id }).update({ model });
}

/** Ends a run exactly once; a second call (a retry racing a cancel, say) changes nothing and returns undefined. */
export async function finishRun(knex: Knex, id: number, state: 'completed' | 'failed' | 'cancelled', error?: string): Promise<Run | undefined> {
  const [row] = await knex('runs')
    .where({ id })
    .whereIn('state', ['queued', 'running'])
    .update({ state, error: error ?? null, finished_at: knex.fn.now() })
    .returning('*');
  return row ? toRun(row) : undefined;
}

/** Marks every unfinished run of a ticket as cancel-requested; returns them. */
export async function requestCancel(knex: Knex, ticketId: number): Promise<Run[]> {
  const rows = await knex('runs')
    .where({ ticket_id: ticketId })
    .whereIn('state', ['queued', 'running'])
    .update({ cancel_requested_at: knex.raw('COALESCE(cancel_requested_at, now())') })
    .returning('*');
  return rows.map(toRun);
}

export async function isCancelRequested(knex: Knex, id: number): Promise<boolean> {
  const row = await knex('runs').where({ id }).first('cancel_requested_at');
  return Boolean(row?.cancel_requested_at);
}

export async function listRunsForTicket(knex: Knex, ticketId: number): Promise<Run[]> {
  const rows = await knex('runs').where({ ticket_id: ticketId }).orderBy('id');
  return rows.map(toRun);
}

/** Remembers why the latest attempt failed, so a run that dies for good can still say why. */
export async function noteRunError(knex: Knex, id: number, error: string): Promise<void> {
  await knex('runs').where({ id }).update({ error });
}

export async function hasRunningRun(knex: Knex, ticketId: number): Promise<boolean> {
  const row = await knex('runs').where({ ticket_id: ticketId, state: 'running' }).first('id');
  return row !== undefined;
}
