import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/connect.ts';
import { findTicket, getTicket, upsertTicket } from '../../src/db/tickets.ts';
import { backendName, useTestDatabase } from './backend.ts';

describe(`tickets [${backendName}]`, () => {
  const db = useTestDatabase();

  test('upsertTicket creates a ticket with every field', async () => {
    const ticket = await upsertTicket(db().knex, { repo: 'octo/create', issueNumber: 1, title: 'Fix the typo', installationId: 11, branch: 'ticketsmith/issue-1-fix-the-typo' });
    expect(ticket).toMatchObject({ repo: 'octo/create', issueNumber: 1, title: 'Fix the typo', installationId: 11, branch: 'ticketsmith/issue-1-fix-the-typo', state: 'open' });
    expect(Number.isInteger(ticket.id)).toBe(true);
    expect(ticket.createdAt).toBeInstanceOf(Date);
    expect(ticket.updatedAt).toBeInstanceOf(Date);
  });

  test('upsertTicket is idempotent per (repo, issue): same row, original branch, refreshed title and installation', async () => {
    const first = await upsertTicket(db().knex, { repo: 'octo/idem', issueNumber: 5, title: 'Old title', installationId: 1, branch: 'ticketsmith/issue-5-old-title' });
    const second = await upsertTicket(db().knex, { repo: 'octo/idem', issueNumber: 5, title: 'New title', installationId: 2, branch: 'ticketsmith/issue-5-new-title' });
    expect(second.id).toBe(first.id);
    expect(second.branch).toBe('ticketsmith/issue-5-old-title');
    expect(second.title).toBe('New title');
    expect(second.installationId).toBe(2);
    expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect(await db().knex('tickets').where({ repo: 'octo/idem' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  test('a different issue or a different repository is a different ticket', async () => {
    const a = await upsertTicket(db().knex, { repo: 'octo/many', issueNumber: 1, title: 'a', installationId: 1, branch: 'b1' });
    const b = await upsertTicket(db().knex, { repo: 'octo/many', issueNumber: 2, title: 'b', installationId: 1, branch: 'b2' });
    const c = await upsertTicket(db().knex, { repo: 'octo/other', issueNumber: 1, title: 'c', installationId: 1, branch: 'b3' });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });

  test('findTicket finds by repo and issue number, getTicket by id', async () => {
    const created = await upsertTicket(db().knex, { repo: 'octo/find', issueNumber: 42, title: 'Find me', installationId: 77, branch: 'ticketsmith/issue-42-find-me' });
    expect(await findTicket(db().knex, 'octo/find', 42)).toEqual(created);
    expect(await getTicket(db().knex, created.id)).toEqual(created);
    expect(await findTicket(db().knex, 'octo/find', 43)).toBeUndefined();
    expect(await findTicket(db().knex, 'octo/nope', 42)).toBeUndefined();
    expect(await getTicket(db().knex, 987_654)).toBeUndefined();
  });

  test('an installation id beyond 32 bits comes back as the same number', async () => {
    const big = 98_765_432_101;
    const created = await upsertTicket(db().knex, { repo: 'octo/bigint', issueNumber: 1, title: 't', installationId: big, branch: 'b' });
    expect(created.installationId).toBe(big);
    expect((await getTicket(db().knex, created.id))?.installationId).toBe(big);
  });

});
