import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tickets', (t) => {
    t.increments('id').primary();
    t.text('repo').notNullable(); // owner/name
    t.integer('issue_number').notNullable();
    t.text('title').notNullable().defaultTo('');
    t.bigInteger('installation_id').notNullable();
    t.text('branch').notNullable();
    t.text('state').notNullable().defaultTo('open');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['repo', 'issue_number']);
  });

  await knex.schema.createTable('runs', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    t.text('delivery_id').notNullable().unique();
    t.text('command').notNullable();
    t.text('args').notNullable().defaultTo('');
    t.text('requester').notNullable();
    t.bigInteger('trigger_comment_id').notNullable();
    t.timestamp('trigger_created_at', { useTz: true }).notNullable();
    t.text('state').notNullable().defaultTo('queued');
    t.text('error');
    t.bigInteger('tracking_comment_id');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('model');
    t.integer('input_tokens').notNullable().defaultTo(0);
    t.integer('output_tokens').notNullable().defaultTo(0);
    t.integer('cached_input_tokens').notNullable().defaultTo(0);
    t.double('cost_usd').notNullable().defaultTo(0);
    t.boolean('cost_known').notNullable().defaultTo(true);
    t.timestamp('cancel_requested_at', { useTz: true });
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['ticket_id', 'id']);
    t.index(['state']);
  });

  await knex.schema.createTable('run_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('type').notNullable();
    t.text('step');
    t.integer('progress');
    t.text('message').notNullable();
    t.jsonb('data');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['run_id', 'seq']);
  });
  await knex.raw(`ALTER TABLE run_events ADD CONSTRAINT run_events_type_check CHECK (type IN ('info','success','warning','error','summary'))`);
  await knex.raw(`ALTER TABLE run_events ADD CONSTRAINT run_events_progress_check CHECK (progress IS NULL OR progress BETWEEN 0 AND 100)`);

  await knex.schema.createTable('deliveries', (t) => {
    t.text('delivery_id').primary();
    t.text('event').notNullable();
    t.text('action');
    t.text('outcome').notNullable().defaultTo('received');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
  });

  await knex.schema.createTable('messages', (t) => {
    t.bigIncrements('id').primary();
    t.integer('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    t.integer('run_id').references('runs.id').onDelete('SET NULL');
    t.text('role').notNullable();
    t.text('content').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['ticket_id', 'id']);
  });
  await knex.raw(`ALTER TABLE messages ADD CONSTRAINT messages_role_check CHECK (role IN ('user','assistant'))`);

  await knex.schema.createTable('token_usage', (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_id').notNullable().references('runs.id').onDelete('CASCADE');
    t.text('step').notNullable();
    t.text('provider').notNullable();
    t.text('model').notNullable();
    t.integer('input_tokens').notNullable();
    t.integer('output_tokens').notNullable();
    t.integer('cached_input_tokens').notNullable();
    t.double('cost_usd').notNullable();
    t.boolean('cost_known').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['run_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['token_usage', 'messages', 'deliveries', 'run_events', 'runs', 'tickets']) {
    await knex.schema.dropTableIfExists(table);
  }
}
