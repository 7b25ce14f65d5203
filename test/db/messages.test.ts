import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/connect.ts';
import { appendMessages, listConversation } from '../../src/db/messages.ts';
import { backendName, useTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

describe(`messages [${backendName}]`, () => {
  const db = useTestDatabase();

  test('listConversation returns the latest N messages, oldest first, with their runs', async () => {
    const ticket = await seedTicket(db().knex);
    const run1 = await seedRun(db().knex, ticket.id);
    const run2 = await seedRun(db().knex, ticket.id);
    const run3 = await seedRun(db().knex, ticket.id);
    await appendMessages(db().knex, ticket.id, run1.id, [{ role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }]);
    await appendMessages(db().knex, ticket.id, run2.id, [{ role: 'user', content: 'q2' }, { role: 'assistant', content: 'a2' }]);
    await appendMessages(db().knex, ticket.id, run3.id, [{ role: 'user', content: 'q3' }, { role: 'assistant', content: 'a3' }]);

    expect(await listConversation(db().knex, ticket.id, 4)).toEqual([
      { role: 'user', content: 'q2', runId: run2.id },
      { role: 'assistant', content: 'a2', runId: run2.id },
      { role: 'user', content: 'q3', runId: run3.id },
      { role: 'assistant', content: 'a3', runId: run3.id },
    ]);
    expect((await listConversation(db().knex, ticket.id, 100)).map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect((await listConversation(db().knex, ticket.id, 1)).map((m) => m.content)).toEqual(['a3']);
  });

  test("a ticket's conversation never includes another ticket's messages", async () => {
    const a = await seedTicket(db().knex);
    const b = await seedTicket(db().knex);
    const runA = await seedRun(db().knex, a.id);
    const runB = await seedRun(db().knex, b.id);
    await appendMessages(db().knex, a.id, runA.id, [{ role: 'user', content: 'for a' }]);
    await appendMessages(db().knex, b.id, runB.id, [{ role: 'user', content: 'for b' }]);
    expect((await listConversation(db().knex, a.id, 10)).map((m) => m.content)).toEqual(['for a']);
    expect((await listConversation(db().knex, b.id, 10)).map((m) => m.content)).toEqual(['for b']);
  });

  test('appending nothing is a no-op, and an empty conversation is an empty list', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await appendMessages(db().knex, ticket.id, run.id, []);
    expect(await listConversation(db().knex, ticket.id, 10)).toEqual([]);
  });

  test('deleting a run keeps its messages with a null run', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await appendMessages(db().knex, ticket.id, run.id, [{ role: 'user', content: 'kept' }]);
    await db().knex('runs').where({ id: run.id }).delete();
    expect(await listConversation(db().knex, ticket.id, 10)).toEqual([{ role: 'user', content: 'kept', runId: null }]);
  });
});
