// Postgres when DATABASE_URL is set, embedded PGlite otherwise. Both speak the same SQL, so
// migrations, repositories and the job queue are written once.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { runMigrations } from './migrate.ts';

// int8 (bigint ids, counts) comes back from node-postgres as a string; every value we store fits
// in a double, and PGlite returns numbers, so both backends agree on numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type Backend = 'postgres' | 'pglite';

export interface Database {
  knex: Knex;
  backend: Backend;
  /** The embedded instance, shared with pg-boss; undefined on Postgres. */
  pglite: PGlite | undefined;
  /** Where to point pg-boss on Postgres. */
  url: string | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string | undefined;
  /** Directory for PGlite's files, or 'memory://' for a throwaway in-memory database. */
  pgliteDir: string;
  /** A PGlite data-directory dump to start from (tests reuse one migrated template instead of running initdb each time). */
  pgliteTemplate?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const db = options.url ? openPostgres(options.url) : await openPglite(options.pgliteDir, options.pgliteTemplate);
  await runMigrations(db.knex);
  return db;
}

function openPostgres(url: string): Database {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
  return { knex, backend: 'postgres', pglite: undefined, url, close: () => knex.destroy() };
}

async function openPglite(dir: string, template: Blob | undefined): Promise<Database> {
  if (dir !== 'memory://') mkdirSync(path.resolve(dir), { recursive: true });
  const pglite = await PGlite.create({ ...(dir === 'memory://' ? {} : { dataDir: path.resolve(dir) }), ...(template ? { loadDataDir: template } : {}) });
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  return {
    knex,
    backend: 'pglite',
    pglite,
    url: undefined,
    // knex-pglite closes the PGlite instance it was handed when the pool is destroyed.
    close: async () => {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
