import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/connect.ts';
import {
  createTicketRun,
  listUnenqueuedRuns,
  markRunsEnqueued,
  finishRun,
  getRun,
  isCancelRequested,
  listRunsForTicket,
  noteRunError,
  requestCancel,
  setRunModel,
  setTrackingComment,
  startRun,
} from '../../src/db/runs.ts';
import { backendName, useTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`runs [${backendName}]`, () => {
  const db = useTestDatabase();

  test('createTicketRun stores the input and round-trips timestamps and big comment ids', async () => {
    const ticket = await seedTicket(db().knex);
    const triggerCreatedAt = new Date('2026-03-04T05:06:07.890Z');
    const run = await seedRun(db().knex, ticket.id, { deliveryId: 'd-roundtrip', command: 'chat', args: 'why?', requester: 'octocat', triggerCommentId: 3_000_000_000_123, triggerCreatedAt });
    expect(run).toMatchObject({ ticketId: ticket.id, deliveryId: 'd-roundtrip', command: 'chat', args: 'why?', requester: 'octocat', triggerCommentId: 3_000_000_000_123, state: 'queued', trackingCommentId: null, model: null });
    expect(run.triggerCreatedAt.toISOString()).toBe(triggerCreatedAt.toISOString());
    expect(await getRun(db().knex, run.id)).toEqual(run);
    expect(await getRun(db().knex, 999_999)).toBeUndefined();
  });

  test('createTicketRun is idempotent on the delivery id: the same row comes back', async () => {
    const ticket = await seedTicket(db().knex);
    const first = await seedRun(db().knex, ticket.id, { deliveryId: 'd-idem', command: 'chat', args: 'first' });
    const again = await seedRun(db().knex, ticket.id, { deliveryId: 'd-idem', command: 'dev', args: 'second' });
    expect(again).toEqual(first);
    expect(await db().knex('runs').where({ delivery_id: 'd-idem' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  test('createTicketRun creates the ticket on first use and refreshes its title, keeping its branch', async () => {
    const input = (deliveryId: string, title: string) => ({
      ticket: { repo: 'octo/hot-path', issueNumber: 77, title, installationId: 5, branch: `ticketsmith/issue-77-${title}` },
      deliveryId, command: 'chat', args: 'q', requester: 'octocat', triggerCommentId: 1, triggerCreatedAt: new Date(),
    });
    const first = (await createTicketRun(db().knex, input('d-hot-1', 'first')))!;
    const second = (await createTicketRun(db().knex, input('d-hot-2', 'renamed')))!;
    expect(second.ticketId).toBe(first.ticketId);
    expect(second.runId).not.toBe(first.runId);
    const ticket = await db().knex('tickets').where({ id: first.ticketId }).first();
    expect(ticket).toMatchObject({ title: 'renamed', branch: 'ticketsmith/issue-77-first' });
  });

  test('recording the delivery with the run: a redelivery creates nothing, and the run waits in the outbox', async () => {
    const input = {
      ticket: { repo: 'octo/outbox', issueNumber: 3, title: 't', installationId: 5, branch: 'ticketsmith/issue-3-t' },
      deliveryId: 'd-outbox', command: 'chat', args: 'q', requester: 'octocat', triggerCommentId: 1, triggerCreatedAt: new Date(),
      delivery: { event: 'issue_comment', action: 'created' },
    };
    const first = await createTicketRun(db().knex, input);
    expect(first).toBeDefined();
    expect(await createTicketRun(db().knex, input)).toBeUndefined();
    expect(await db().knex('deliveries').where({ delivery_id: 'd-outbox' }).first()).toMatchObject({ outcome: 'queued' });
    expect((await listUnenqueuedRuns(db().knex, 1000)).map((r) => r.id)).toContain(first!.runId);
    await markRunsEnqueued(db().knex, [first!.runId]);
    expect((await listUnenqueuedRuns(db().knex, 1000)).map((r) => r.id)).not.toContain(first!.runId);
  });

  test('startRun counts every attempt but sets started_at only once', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    const first = await startRun(db().knex, run.id);
    expect(first?.state).toBe('running');
    expect(first?.attempts).toBe(1);
    expect(first?.startedAt).toBeInstanceOf(Date);
    await sleep(20);
    const second = await startRun(db().knex, run.id);
    expect(second?.attempts).toBe(2);
    expect(second?.startedAt?.getTime()).toBe(first?.startedAt?.getTime());
  });

  test('finishRun ends a run exactly once; later calls and restarts change nothing', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await startRun(db().knex, run.id);
    const finished = await finishRun(db().knex, run.id, 'completed');
    expect(finished?.state).toBe('completed');
    expect(finished?.finishedAt).toBeInstanceOf(Date);
    expect(finished?.error).toBeNull();

    expect(await finishRun(db().knex, run.id, 'failed', 'too late')).toBeUndefined();
    expect(await startRun(db().knex, run.id)).toBeUndefined();
    const stored = await getRun(db().knex, run.id);
    expect(stored?.state).toBe('completed');
    expect(stored?.error).toBeNull();
    expect(stored?.attempts).toBe(1);
    expect(stored?.finishedAt?.getTime()).toBe(finished?.finishedAt?.getTime());
  });

  test('finishRun can fail a queued run with an error', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    const failed = await finishRun(db().knex, run.id, 'failed', 'GitHub answered HTTP 404.');
    expect(failed).toMatchObject({ state: 'failed', error: 'GitHub answered HTTP 404.', attempts: 0 });
  });

  test('requestCancel flags only the unfinished runs of the ticket, and keeps the first request time', async () => {
    const ticket = await seedTicket(db().knex);
    const other = await seedTicket(db().knex);
    const queued = await seedRun(db().knex, ticket.id);
    const running = await seedRun(db().knex, ticket.id);
    await startRun(db().knex, running.id);
    const done = await seedRun(db().knex, ticket.id);
    await finishRun(db().knex, done.id, 'completed');
    const elsewhere = await seedRun(db().knex, other.id);

    const flagged = await requestCancel(db().knex, ticket.id);
    expect(flagged.map((r) => r.id).sort((a, b) => a - b)).toEqual([queued.id, running.id].sort((a, b) => a - b));
    for (const run of flagged) expect(run.cancelRequestedAt).toBeInstanceOf(Date);
    expect(await isCancelRequested(db().knex, queued.id)).toBe(true);
    expect(await isCancelRequested(db().knex, running.id)).toBe(true);
    expect(await isCancelRequested(db().knex, done.id)).toBe(false);
    expect(await isCancelRequested(db().knex, elsewhere.id)).toBe(false);
    expect((await getRun(db().knex, done.id))?.cancelRequestedAt).toBeNull();
    // Flagging is not ending: the states are untouched.
    expect((await getRun(db().knex, queued.id))?.state).toBe('queued');
    expect((await getRun(db().knex, running.id))?.state).toBe('running');

    await sleep(20);
    const again = await requestCancel(db().knex, ticket.id);
    const firstTime = flagged.find((r) => r.id === queued.id)?.cancelRequestedAt?.getTime();
    expect(again.find((r) => r.id === queued.id)?.cancelRequestedAt?.getTime()).toBe(firstTime);
  });

  test('requestCancel on a ticket with nothing unfinished returns no runs', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await finishRun(db().knex, run.id, 'cancelled');
    expect(await requestCancel(db().knex, ticket.id)).toEqual([]);
    expect(await isCancelRequested(db().knex, 999_999)).toBe(false);
  });

  test('noteRunError records the error without ending the run', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await startRun(db().knex, run.id);
    await noteRunError(db().knex, run.id, 'attempt 1: connection reset');
    const stored = await getRun(db().knex, run.id);
    expect(stored).toMatchObject({ state: 'running', error: 'attempt 1: connection reset', finishedAt: null });
    await noteRunError(db().knex, run.id, 'attempt 2: timeout');
    expect((await getRun(db().knex, run.id))?.error).toBe('attempt 2: timeout');
  });

  test('setTrackingComment, setRunModel and listRunsForTicket', async () => {
    const ticket = await seedTicket(db().knex);
    const a = await seedRun(db().knex, ticket.id);
    const b = await seedRun(db().knex, ticket.id);
    await setTrackingComment(db().knex, a.id, 5_000_000_000_001);
    await setRunModel(db().knex, a.id, 'gpt-4o-mini');
    const list = await listRunsForTicket(db().knex, ticket.id);
    expect(list.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(list[0]).toMatchObject({ trackingCommentId: 5_000_000_000_001, model: 'gpt-4o-mini' });
    expect(list[1]).toMatchObject({ trackingCommentId: null, model: null });
  });
});
