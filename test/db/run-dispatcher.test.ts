// The outbox relay: runs committed by intake reach the queue, exactly once, even when nothing
// announced them (a web node that died between its commit and its nudge).
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import type { Database } from '../../src/db/connect.ts';
import { listUnenqueuedRuns } from '../../src/db/runs.ts';
import { startQueue, type PgBoss } from '../../src/queue/boss.ts';
import { QUEUES, jobIdFor, ticketGroup } from '../../src/queue/jobs.ts';
import { RunDispatcher } from '../../src/queue/run-dispatcher.ts';
import { backendName, openTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

describe(`run dispatcher [${backendName}]`, () => {
  let db: Database;
  let boss: PgBoss;
  const log = pino({ level: 'silent' });

  beforeEach(async () => {
    db = await openTestDatabase();
    boss = await startQueue(db, { concurrency: 1, retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 60, pollSeconds: 0.5 }, log);
  }, 60_000);
  afterEach(async () => {
    await boss.stop({ graceful: true, timeout: 5000 });
    await db.close();
  }, 60_000);

  test('relays committed runs as jobs keyed by delivery id and ticket, and stamps them', async () => {
    const ticket = await seedTicket(db.knex);
    const runs = [await seedRun(db.knex, ticket.id), await seedRun(db.knex, ticket.id)];
    const dispatcher = new RunDispatcher(db.knex, boss, log, { sweepIntervalMs: 60_000, batchWindowMs: 5, batchSize: 1 });
    await dispatcher.drain();
    for (const run of runs) {
      const [job] = await boss.findJobs(QUEUES.run, { id: jobIdFor(run.deliveryId) });
      expect(job).toMatchObject({ data: { runId: run.id }, singletonKey: ticketGroup(ticket.id), state: 'created' });
    }
    expect(await listUnenqueuedRuns(db.knex, 100)).toEqual([]);
    await dispatcher.stop();
  });

  test("a ticket's runs become jobs in the order they were made, even within one batch", async () => {
    const ticket = await seedTicket(db.knex);
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await seedRun(db.knex, ticket.id));
    const dispatcher = new RunDispatcher(db.knex, boss, log, { sweepIntervalMs: 60_000, batchWindowMs: 5, batchSize: 50 });
    await dispatcher.drain();
    await dispatcher.stop();
    const jobs = await Promise.all(runs.map(async (run) => (await boss.findJobs(QUEUES.run, { id: jobIdFor(run.deliveryId) }))[0]!));
    const created = jobs.map((job) => new Date((job as unknown as { createdOn: Date }).createdOn).getTime());
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(new Set(created).size).toBe(created.length);
  });

  test('the sweep relays a run nobody nudged, and relaying again queues nothing new', async () => {
    const ticket = await seedTicket(db.knex);
    const run = await seedRun(db.knex, ticket.id);
    const dispatcher = new RunDispatcher(db.knex, boss, log, { sweepIntervalMs: 100, batchWindowMs: 5, batchSize: 50 });
    dispatcher.start();
    const deadline = Date.now() + 10_000;
    while ((await listUnenqueuedRuns(db.knex, 10)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await listUnenqueuedRuns(db.knex, 10)).toEqual([]);
    // A crash between the insert and the stamp leaves the run unstamped: relaying it again is harmless.
    await db.knex('runs').where({ id: run.id }).update({ enqueued_at: null });
    await dispatcher.drain();
    await dispatcher.stop();
    expect(await boss.findJobs(QUEUES.run, { id: jobIdFor(run.deliveryId) })).toHaveLength(1);
  });
});
