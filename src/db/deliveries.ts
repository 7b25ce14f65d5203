import type { Knex } from 'knex';

export type DeliveryClaim = 'new' | 'unfinished' | 'done';

/**
 * Records a webhook delivery. 'unfinished' means an earlier attempt crashed midway: intake's
 * steps are idempotent, so the caller simply runs them again.
 */
export async function claimDelivery(knex: Knex, deliveryId: string, event: string, action: string | undefined): Promise<DeliveryClaim> {
  const inserted = await knex('deliveries')
    .insert({ delivery_id: deliveryId, event, action: action ?? null })
    .onConflict('delivery_id')
    .ignore()
    .returning('delivery_id');
  if (inserted.length > 0) return 'new';
  const row = await knex('deliveries').where({ delivery_id: deliveryId }).first('completed_at');
  return row?.completed_at ? 'done' : 'unfinished';
}

export async function completeDelivery(knex: Knex, deliveryId: string, outcome: string): Promise<void> {
  await knex('deliveries').where({ delivery_id: deliveryId }).update({ outcome, completed_at: knex.fn.now() });
}

export async function getDeliveryOutcome(knex: Knex, deliveryId: string): Promise<string | undefined> {
  const row = await knex('deliveries').where({ delivery_id: deliveryId }).first('outcome');
  return row?.outcome as string | undefined;
}
