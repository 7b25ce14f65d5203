import type { Knex } from 'knex';

// Tickets learn where their repository lives (from the webhook payload, so a local git server
// works) and when their workspace was last used (for least-recently-used eviction). Plans are
// versioned per ticket: `@make_plan <notes>` adds a version, never rewrites one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.text('clone_url');
    t.text('html_url');
    t.text('default_branch');
    t.timestamp('workspace_used_at', { useTz: true });
    // Set once a workspace made the ticket's branch: from then on the branch is the ticket's own,
    // even on a node whose mirror has never seen it.
    t.timestamp('branch_created_at', { useTz: true });
  });
  await knex.schema.createTable('plans', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.integer('run_id').references('runs.id').onDelete('SET NULL');
    t.text('notes').notNullable().defaultTo('');
    t.text('base_sha').notNullable();
    t.jsonb('plan').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['ticket_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('plans');
  await knex.schema.alterTable('tickets', (t) => {
    t.dropColumn('branch_created_at');
    t.dropColumn('workspace_used_at');
    t.dropColumn('default_branch');
    t.dropColumn('html_url');
    t.dropColumn('clone_url');
  });
}
