import { describe, expect, test } from '@jest/globals';
import { insertPlanVersion, latestPlan, listPlans } from '../../src/db/plans.ts';
import type { Plan } from '../../src/plans/plan.ts';
import { backendName, useTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
// PGlite runs one statement at a time, so only a real Postgres can make two inserts race.
const postgresOnly = backendName === 'postgres' ? test : test.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function planNamed(summary: string): Plan {
  return {
    summary,
    files: [{ path: 'src/db/plans.ts', action: 'create', intent: 'Store plan versions.' }],
    steps: ['Write the repository', 'Test it'],
    tests: [{ description: 'Versions are consecutive', command: 'npx jest test/db/plans.test.ts' }, { description: 'Manual check' }],
    risks: [],
    open_questions: ['Keep every version forever?'],
    estimate: { size: 'S', rationale: 'One small module.' },
  };
}

describe(`plans [${backendName}]`, () => {
  const db = useTestDatabase();

  test('versions count up from 1, and every field round-trips', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id, { command: 'make_plan' });
    const before = Date.now();

    const v1 = await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: run.id, notes: '', baseSha: SHA, plan: planNamed('first') });
    const v2 = await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: run.id, notes: 'smaller please', baseSha: SHA, plan: planNamed('second') });
    const v3 = await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: null, notes: 'and tests', baseSha: 'f'.repeat(40), plan: planNamed('third') });

    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(v2).toEqual({
      id: expect.any(Number),
      ticketId: ticket.id,
      version: 2,
      runId: run.id,
      notes: 'smaller please',
      baseSha: SHA,
      plan: planNamed('second'),
      createdAt: expect.any(Date),
    });
    expect(v3.runId).toBeNull();
    // A minute of slack either way: the database clock is not the test's clock.
    expect(Math.abs(v1.createdAt.getTime() - before)).toBeLessThan(60_000);
  });

  test('latestPlan is the highest version, and listPlans returns every version oldest first', async () => {
    const ticket = await seedTicket(db().knex);
    expect(await latestPlan(db().knex, ticket.id)).toBeUndefined();
    expect(await listPlans(db().knex, ticket.id)).toEqual([]);

    const inserted = [];
    for (const summary of ['one', 'two', 'three']) {
      inserted.push(await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: null, notes: summary, baseSha: SHA, plan: planNamed(summary) }));
    }

    expect(await latestPlan(db().knex, ticket.id)).toEqual(inserted[2]);
    expect(await listPlans(db().knex, ticket.id)).toEqual(inserted);
    expect((await listPlans(db().knex, ticket.id)).map((p) => [p.version, p.plan.summary])).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
  });

  test("deleting the run that made a plan keeps the plan, with a null run", async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id, { command: 'make_plan' });
    const stored = await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: run.id, notes: '', baseSha: SHA, plan: planNamed('kept') });

    await db().knex('runs').where({ id: run.id }).delete();

    expect(await latestPlan(db().knex, ticket.id)).toEqual({ ...stored, runId: null });
  });

  test('deleting the ticket deletes its plans', async () => {
    const ticket = await seedTicket(db().knex);
    await insertPlanVersion(db().knex, { ticketId: ticket.id, runId: null, notes: '', baseSha: SHA, plan: planNamed('gone') });
    await db().knex('tickets').where({ id: ticket.id }).delete();
    expect(await db().knex('plans').where({ ticket_id: ticket.id })).toEqual([]);
  });

  test('concurrent inserts on one ticket all succeed, with distinct consecutive versions', async () => {
    const ticket = await seedTicket(db().knex);
    const summaries = ['a', 'b', 'c', 'd', 'e'];

    const stored = await Promise.all(
      summaries.map((summary) => insertPlanVersion(db().knex, { ticketId: ticket.id, runId: null, notes: summary, baseSha: SHA, plan: planNamed(summary) })),
    );

    expect(stored.map((p) => p.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    const listed = await listPlans(db().knex, ticket.id);
    expect(listed.map((p) => p.version)).toEqual([1, 2, 3, 4, 5]);
    expect(listed.map((p) => p.plan.summary).sort()).toEqual(summaries);
  });

  postgresOnly(`an insert that loses the race for a version retries and takes the next one${backendName === 'postgres' ? '' : ' (needs a second connection holding a row lock, which only Postgres has: set TEST_DATABASE_URL; .ci/run does)'}`, async () => {
    const knex = db().knex;
    const ticket = await seedTicket(knex);
    await insertPlanVersion(knex, { ticketId: ticket.id, runId: null, notes: '', baseSha: SHA, plan: planNamed('v1') });

    // A rival holds version 2 uncommitted, so our insert computes 2 too and waits on the unique index.
    const rival = await knex.transaction();
    try {
      await rival('plans').insert({ ticket_id: ticket.id, version: 2, base_sha: SHA, plan: JSON.stringify(planNamed('rival')) });
      const ours = insertPlanVersion(knex, { ticketId: ticket.id, runId: null, notes: 'ours', baseSha: SHA, plan: planNamed('ours') });
      for (let waited = 0; ; waited += 20) {
        const { rows } = await knex.raw("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        if (rows[0].n > 0) break;
        if (waited > 5000) throw new Error('the insert never blocked on the rival version');
        await sleep(20);
      }
      await rival.commit();
      expect(await ours).toMatchObject({ version: 3, notes: 'ours' });
    } finally {
      if (!rival.isCompleted()) await rival.rollback();
    }
    expect((await listPlans(knex, ticket.id)).map((p) => p.plan.summary)).toEqual(['v1', 'rival', 'ours']);
  });

  test("each ticket has its own version sequence, and never sees another ticket's plans", async () => {
    const a = await seedTicket(db().knex);
    const b = await seedTicket(db().knex);

    await insertPlanVersion(db().knex, { ticketId: a.id, runId: null, notes: '', baseSha: SHA, plan: planNamed('a1') });
    await insertPlanVersion(db().knex, { ticketId: a.id, runId: null, notes: '', baseSha: SHA, plan: planNamed('a2') });
    const b1 = await insertPlanVersion(db().knex, { ticketId: b.id, runId: null, notes: '', baseSha: SHA, plan: planNamed('b1') });

    expect(b1.version).toBe(1);
    expect((await listPlans(db().knex, a.id)).map((p) => p.plan.summary)).toEqual(['a1', 'a2']);
    expect((await listPlans(db().knex, b.id)).map((p) => p.plan.summary)).toEqual(['b1']);
    expect((await latestPlan(db().knex, a.id))?.plan.summary).toBe('a2');
  });

  test('an invalid plan is refused before it reaches the table, naming the field', async () => {
    const ticket = await seedTicket(db().knex);
    const bad = { ...planNamed('bad'), files: [{ path: '../etc/passwd', action: 'modify', intent: 'x' }] } as Plan;

    await expect(insertPlanVersion(db().knex, { ticketId: ticket.id, runId: null, notes: '', baseSha: SHA, plan: bad })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ['files', 0, 'path'], message: 'path must not contain ".." segments' })],
    });
    expect(await listPlans(db().knex, ticket.id)).toEqual([]);
  });

  test('a plan for a ticket that does not exist is refused', async () => {
    await expect(insertPlanVersion(db().knex, { ticketId: 987_654, runId: null, notes: '', baseSha: SHA, plan: planNamed('orphan') })).rejects.toThrow();
  });

  test('a stored row that no longer matches the schema fails loudly on read, naming the field', async () => {
    const ticket = await seedTicket(db().knex);
    await db().knex('plans').insert({ ticket_id: ticket.id, version: 1, base_sha: SHA, plan: JSON.stringify({ ...planNamed('old'), estimate: { size: 'XXL', rationale: 'r' } }) });
    await expect(latestPlan(db().knex, ticket.id)).rejects.toThrow(/plan v1 of ticket \d+.*estimate\.size/s);
  });
});
