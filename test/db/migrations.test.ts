import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Backend, Database } from '../../src/db/connect.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { findTicket, upsertTicket } from '../../src/db/tickets.ts';
import { backendName, createTestStore, openTestDatabase, type TestStore } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

const TABLES = ['tickets', 'runs', 'run_events', 'deliveries', 'messages', 'token_usage', 'plans'];
const MIGRATIONS = ['001_initial', '002_run_outbox', '003_workspaces_and_plans'];

describe(`migrations on a fresh database [${backendName}]`, () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  test('opens on the expected backend', () => {
    expect(db.backend).toBe(backendName);
    if (backendName === 'pglite') {
      expect(db.pglite).toBeDefined();
      expect(db.url).toBeUndefined();
    } else {
      expect(db.pglite).toBeUndefined();
      expect(db.url).toMatch(/^postgres/);
    }
  });

  test('creates every table and records the migration once', async () => {
    for (const table of TABLES) expect(await db.knex.schema.hasTable(table)).toBe(true);
    const applied = await db.knex('knex_migrations').select('name');
    expect(applied.map((row) => row.name)).toEqual(MIGRATIONS);
  });

  test('running the migrations again on an open database is a no-op', async () => {
    const before = await db.knex('knex_migrations').select('id', 'name', 'migration_time');
    await runMigrations(db.knex);
    const after = await db.knex('knex_migrations').select('id', 'name', 'migration_time');
    expect(after).toEqual(before);
  });

  test('the CHECK constraints are in place', async () => {
    const ticket = await seedTicket(db.knex);
    const run = await seedRun(db.knex, ticket.id);
    await expect(db.knex('run_events').insert({ run_id: run.id, seq: 1, type: 'bogus', message: 'x' })).rejects.toThrow(/run_events_type_check/);
    await expect(db.knex('run_events').insert({ run_id: run.id, seq: 1, type: 'info', progress: 101, message: 'x' })).rejects.toThrow(/run_events_progress_check/);
    await expect(db.knex('messages').insert({ ticket_id: ticket.id, role: 'system', content: 'x' })).rejects.toThrow(/messages_role_check/);
    expect(await db.knex('run_events').where({ run_id: run.id })).toHaveLength(0);
  });

  test('defaults are applied to a new run', async () => {
    const ticket = await seedTicket(db.knex);
    const run = await seedRun(db.knex, ticket.id);
    expect(run).toMatchObject({ state: 'queued', attempts: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, costKnown: true, error: null, startedAt: null, finishedAt: null, cancelRequestedAt: null });
    expect(run.queuedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(run.queuedAt.getTime())).toBe(false);
  });
});

// A PGlite directory is what a single-process install keeps its data in; on a Postgres run the
// same check is made against a database that is closed and reopened.
const restartBackends: Backend[] = backendName === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];

describe.each(restartBackends)('migrations across a restart [%s]', (backend) => {
  let store: TestStore;
  let db: Database | undefined;
  beforeAll(async () => {
    store = await createTestStore(backend);
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  afterAll(async () => {
    await store?.destroy();
  });

  test('data written before close is read after reopening, and migrations do not run again', async () => {
    db = await store.open();
    expect(db.backend).toBe(backend);
    const created = await upsertTicket(db.knex, { repo: 'octo/persist', issueNumber: 7, title: 'Survives restarts', installationId: 99, branch: 'ticketsmith/issue-7-survives-restarts' });
    await seedRun(db.knex, created.id, { deliveryId: 'persist-delivery' });
    // The ticket as it stands at close (creating a run refreshes updated_at).
    const written = await findTicket(db.knex, 'octo/persist', 7);
    const migrationsBefore = await db.knex('knex_migrations').select('id', 'name', 'migration_time');
    expect(migrationsBefore.map((row) => row.name)).toEqual(MIGRATIONS);
    await db.close();
    db = undefined;

    // Reopening runs runMigrations again; re-running 001_initial would fail on the existing tables.
    db = await store.open();
    const read = await findTicket(db.knex, 'octo/persist', 7);
    expect(read).toEqual(written);
    expect(await db.knex('runs').where({ delivery_id: 'persist-delivery' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    const migrationsAfter = await db.knex('knex_migrations').select('id', 'name', 'migration_time');
    expect(migrationsAfter).toEqual(migrationsBefore);
  });
});
