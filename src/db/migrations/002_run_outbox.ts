import type { Knex } from 'knex';

// Runs are the outbox of the run queue: intake commits a run with enqueued_at NULL, and the
// dispatcher moves it into pg-boss and stamps it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.timestamp('enqueued_at', { useTz: true });
  });
  // Runs from before the outbox were sent to the queue directly.
  await knex('runs').update({ enqueued_at: knex.ref('queued_at') });
  await knex.raw('CREATE INDEX runs_pending_enqueue ON runs (id) WHERE enqueued_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS runs_pending_enqueue');
  await knex.schema.alterTable('runs', (t) => {
    t.dropColumn('enqueued_at');
  });
}
