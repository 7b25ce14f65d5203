import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/connect.ts';
import { claimDelivery, completeDelivery, getDeliveryOutcome } from '../../src/db/deliveries.ts';
import { backendName, useTestDatabase } from './backend.ts';

describe(`deliveries [${backendName}]`, () => {
  const db = useTestDatabase();

  test("claimDelivery returns 'new', then 'unfinished', then 'done' once completed", async () => {
    expect(await claimDelivery(db().knex, 'delivery-1', 'issue_comment', 'created')).toBe('new');
    expect(await getDeliveryOutcome(db().knex, 'delivery-1')).toBe('received');
    expect(await claimDelivery(db().knex, 'delivery-1', 'issue_comment', 'created')).toBe('unfinished');
    await completeDelivery(db().knex, 'delivery-1', 'queued run');
    expect(await claimDelivery(db().knex, 'delivery-1', 'issue_comment', 'created')).toBe('done');
    expect(await getDeliveryOutcome(db().knex, 'delivery-1')).toBe('queued run');
  });

  test('the first claim records event and action; a missing action is stored as null', async () => {
    expect(await claimDelivery(db().knex, 'delivery-2', 'ping', undefined)).toBe('new');
    const row = await db().knex('deliveries').where({ delivery_id: 'delivery-2' }).first();
    expect(row).toMatchObject({ event: 'ping', action: null, outcome: 'received', completed_at: null });
    // A later claim does not overwrite what the first one stored.
    expect(await claimDelivery(db().knex, 'delivery-2', 'issues', 'opened')).toBe('unfinished');
    expect(await db().knex('deliveries').where({ delivery_id: 'delivery-2' }).first()).toMatchObject({ event: 'ping', action: null });
  });

  test('concurrent claims of one delivery: exactly one is new', async () => {
    const claims = await Promise.all(Array.from({ length: 6 }, () => claimDelivery(db().knex, 'delivery-race', 'issue_comment', 'created')));
    expect(claims.filter((c) => c === 'new')).toHaveLength(1);
    expect(claims.filter((c) => c === 'unfinished')).toHaveLength(5);
  });

  test('getDeliveryOutcome of an unknown delivery is undefined', async () => {
    expect(await getDeliveryOutcome(db().knex, 'never-seen')).toBeUndefined();
  });
});
