import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import type { Config } from '../../src/config.ts';
import type { Database } from '../../src/db/connect.ts';
import { startQueue, type PgBoss } from '../../src/queue/boss.ts';
import { QUEUES, jobIdFor, ticketGroup, type RunJob } from '../../src/queue/jobs.ts';
import { backendName, openTestDatabase } from './backend.ts';

const QUEUE_OPTIONS: Config['queue'] = { concurrency: 2, retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 120, pollSeconds: 0.5 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe(`queue [${backendName}]`, () => {
  let db: Database;
  let boss: PgBoss | undefined;
  let errors: unknown[];

  beforeEach(async () => {
    db = await openTestDatabase();
    errors = [];
    boss = await startQueue(db, QUEUE_OPTIONS, pino({ level: 'silent' }));
    boss.on('error', (error: unknown) => errors.push(error));
  }, 60_000);
  afterEach(async () => {
    // The queue shares the database (the very PGlite instance when embedded): stop it first.
    await boss?.stop({ graceful: true, timeout: 5000 });
    boss = undefined;
    await db?.close();
  }, 60_000);

  test('startQueue creates the run, dead-letter and reply queues with the configured retry policy', async () => {
    const run = await boss!.getQueue(QUEUES.run);
    expect(run).toMatchObject({ name: QUEUES.run, retryLimit: 1, retryDelay: 1, retryBackoff: true, expireInSeconds: 120, deadLetter: QUEUES.runDead });
    expect(await boss!.getQueue(QUEUES.runDead)).toMatchObject({ name: QUEUES.runDead });
    expect(await boss!.getQueue(QUEUES.reply)).toMatchObject({ name: QUEUES.reply, retryLimit: 1 });
  });

  test('sending the same job id twice queues one job', async () => {
    const id = jobIdFor('same-delivery');
    const first = await boss!.send(QUEUES.run, { runId: 1 }, { id, singletonKey: ticketGroup(1) });
    const second = await boss!.send(QUEUES.run, { runId: 2 }, { id, singletonKey: ticketGroup(1) });
    expect(first).toBe(id);
    expect(second).toBeNull();
    const jobs = await boss!.findJobs<RunJob>(QUEUES.run);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id, data: { runId: 1 }, singletonKey: ticketGroup(1) });
    expect(errors).toEqual([]);
  });

  test("jobs of one ticket group run one at a time while another group's job runs alongside", async () => {
    const spans = new Map<string, { start: number; end?: number }>();
    const jobs = [
      { name: 'a1', group: ticketGroup(1) },
      { name: 'a2', group: ticketGroup(1) },
      { name: 'b1', group: ticketGroup(2) },
    ];
    for (const job of jobs) await boss!.send(QUEUES.run, { name: job.name }, { id: jobIdFor(`group-test-${job.name}`), singletonKey: job.group });

    await boss!.work<{ name: string }>(QUEUES.run, { localConcurrency: 2, pollingIntervalSeconds: 0.5 }, async (batch) => {
      for (const job of batch) {
        const span: { start: number; end?: number } = { start: performance.now() };
        spans.set(job.data.name, span);
        await sleep(1500);
        span.end = performance.now();
      }
    });
    await waitFor(() => (jobs.every((j) => spans.get(j.name)?.end !== undefined) ? true : undefined), 'all three jobs to finish');

    const span = (name: string) => {
      const s = spans.get(name)!;
      return { start: s.start, end: s.end! };
    };
    const overlaps = (x: { start: number; end: number }, y: { start: number; end: number }) => x.start < y.end && y.start < x.end;
    const [a1, a2, b1] = [span('a1'), span('a2'), span('b1')];
    expect(overlaps(a1, a2)).toBe(false);
    expect(overlaps(b1, a1) || overlaps(b1, a2)).toBe(true);
    expect(errors).toEqual([]);
  });

  // What the group test above relies on, without the timing: two fetches at the same moment (two
  // workers, or two nodes) must not both take a job of the same ticket.
  test('two workers fetching at the same moment never both take a job of one ticket group', async () => {
    const doubleClaims: string[] = [];
    let fetched = 0;
    for (let round = 0; round < 10; round++) {
      const group = ticketGroup(1000 + round);
      await boss!.send(QUEUES.run, { round, n: 1 }, { singletonKey: group });
      await boss!.send(QUEUES.run, { round, n: 2 }, { singletonKey: group });
      const claims = (await Promise.all([0, 1].map(() => boss!.fetch(QUEUES.run)))).flat();
      fetched += claims.length;
      if (claims.length > 1) doubleClaims.push(group);
      if (claims.length > 0) await boss!.complete(QUEUES.run, claims.map((job) => job.id));
      await boss!.deleteQueuedJobs(QUEUES.run);
    }
    expect(fetched).toBeGreaterThanOrEqual(10);
    expect(doubleClaims).toEqual([]);
  });

  test('a job that keeps throwing past its retry limit lands in the dead-letter queue with the same data', async () => {
    const attempts: number[] = [];
    const dead: { id: string; data: RunJob }[] = [];
    await boss!.work<RunJob>(QUEUES.run, { pollingIntervalSeconds: 0.5 }, async (batch) => {
      for (const job of batch) attempts.push(job.retryCount);
      throw new Error('the worker always fails');
    });
    await boss!.work<RunJob>(QUEUES.runDead, { pollingIntervalSeconds: 0.5 }, async (batch) => {
      for (const job of batch) dead.push({ id: job.id, data: job.data });
    });

    const id = jobIdFor('dead-letter-delivery');
    await boss!.send(QUEUES.run, { runId: 42 }, { id, singletonKey: ticketGroup(42) });
    await waitFor(() => (dead.length > 0 ? true : undefined), 'the dead-letter job', 25_000);

    expect(attempts).toEqual([0, 1]); // the first attempt plus retryLimit (1) retries
    expect(dead).toHaveLength(1);
    expect(dead[0]?.data).toEqual({ runId: 42 });
    const original = await boss!.findJobs(QUEUES.run, { id });
    expect(original[0]?.state).toBe('failed');
    expect(errors).toEqual([]);
  });
});
