// Which database the db suite runs on: PGlite in memory by default, a real Postgres when
// TEST_DATABASE_URL is set. Each call gets a database of its own, so test files never share rows.
import { afterAll, beforeAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Backend, type Database } from '../../src/db/connect.ts';

const rawUrl = process.env.TEST_DATABASE_URL?.trim();
/** The admin URL new databases are created through; undefined means PGlite. */
export const testDatabaseUrl: string | undefined = rawUrl ? rawUrl : undefined;
export const backendName: Backend = testDatabaseUrl ? 'postgres' : 'pglite';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database that survives closing and reopening, until destroy(): a PGlite directory or a Postgres database. */
export interface TestStore {
  backend: Backend;
  open(): Promise<Database>;
  destroy(): Promise<void>;
}

export async function createTestStore(backend: Backend = backendName): Promise<TestStore> {
  if (backend === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'ticketsmith-db-test-'));
    return {
      backend,
      open: () => openDatabase({ url: undefined, pgliteDir: dir }),
      destroy: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (!testDatabaseUrl) throw new Error('A Postgres test store needs TEST_DATABASE_URL');
  const name = `ticketsmith_test_${process.pid}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    backend,
    open: () => openDatabase({ url: url.toString(), pgliteDir: 'memory://' }),
    destroy: async () => {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A fresh, migrated database; close() also deletes it (Postgres) or discards it (PGlite in memory). */
export async function openTestDatabase(): Promise<Database> {
  if (backendName === 'pglite') return openDatabase({ url: undefined, pgliteDir: 'memory://' });
  const store = await createTestStore('postgres');
  let db: Database;
  try {
    db = await store.open();
  } catch (error) {
    await store.destroy();
    throw error;
  }
  return {
    ...db,
    close: async () => {
      try {
        await db.close();
      } finally {
        await store.destroy();
      }
    },
  };
}

/** A fresh database for a describe block, opened before its tests and closed after them. */
export function useTestDatabase(): () => Database {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('useTestDatabase: the database is only open inside tests');
    return db;
  };
}
