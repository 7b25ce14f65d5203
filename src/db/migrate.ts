// Migrations are imported modules, not files knex discovers at run time, so they work the same
// under Node's type stripping, jest and a bundled image.
import type { Knex } from 'knex';
import * as initial from './migrations/001_initial.ts';
import * as runOutbox from './migrations/002_run_outbox.ts';
import * as workspacesAndPlans from './migrations/003_workspaces_and_plans.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initial,
  '002_run_outbox': runOutbox,
  '003_workspaces_and_plans': workspacesAndPlans,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS[name];
    if (!migration) throw new Error(`Unknown migration ${name}`);
    return migration;
  },
};

export async function runMigrations(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource: source, tableName: 'knex_migrations' });
}
