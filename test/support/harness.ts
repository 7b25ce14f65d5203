// Starts the real ticketsmith (HTTP server, Probot, queue workers, database) for a test. Only
// GitHub (nock) and the model (a local wire-format server) are stand-ins.
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, type Role } from '../../src/config.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { startQueue } from '../../src/queue/boss.ts';
import { startTicketsmith, type Ticketsmith } from '../../src/runtime.ts';
import { testPrivateKey } from './github-fixtures.ts';

export const GITHUB_API = 'https://github.test/api/v3';
export const WEBHOOK_SECRET = 'whsec-test-8d1f0c2b9a7e';
export const OPENAI_KEY = 'sk-test-openai-4f7a9c2e1b8d6f3a0c5e';
export const INSTALLATION_TOKEN = `ghs_${'T'.repeat(8)}${randomBytes(14).toString('hex')}`;

export interface TestApp {
  app: Ticketsmith;
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  role?: Role;
  /** Join another test app's Postgres database instead of creating one (multi-node tests). */
  databaseUrl?: string;
}

let template: Promise<Blob> | undefined;
/** A migrated PGlite with pg-boss's schema, dumped once per test process: initdb is the slow part. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const db = await openDatabase({ url: undefined, pgliteDir: 'memory://' });
    const boss = await startQueue(db, loadConfig({}).queue, pino({ level: 'silent' }));
    await boss.stop({ graceful: true, timeout: 5000 });
    const dump = await db.pglite!.dumpDataDir('none');
    await db.close();
    return dump;
  })();
  return template;
}

/** Real Postgres when TEST_DATABASE_URL is set (a fresh database per app), in-memory PGlite otherwise. */
async function testDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => undefined };
  const name = `ticketsmith_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await testDatabase();
  // Workspaces would otherwise land in ./data/tickets of the checkout.
  const ticketsRoot = options.env?.TICKETS_ROOT ?? (await mkdtemp(path.join(tmpdir(), 'ticketsmith-tickets-')));
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    APP_ID: '12345',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GHE_HOST: 'github.test',
    GHE_PROTOCOL: 'https',
    GITHUB_RETRY_AND_THROTTLE: 'false',
    COMMENT_EDIT_INTERVAL_MS: '100',
    QUEUE_POLL_SECONDS: '0.5',
    JOB_RETRY_LIMIT: '1',
    JOB_RETRY_DELAY_SECONDS: '1',
    DATABASE_URL: database.url,
    TICKETS_ROOT: ticketsRoot,
    ...options.env,
  };
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const config = loadConfig(env as NodeJS.ProcessEnv, options.role ?? 'all');
  const app = await startTicketsmith(config, {
    logDestination: destination,
    pgliteDir: 'memory://',
    ...(database.url ? {} : { pgliteTemplate: await pgliteTemplate() }),
  });
  return {
    app,
    url: app.url,
    logs,
    stop: async () => {
      if (process.env.TEST_DUMP_LOGS) console.log(logs.join('\n'));
      await app.stop();
      await database.drop();
      if (!options.env?.TICKETS_ROOT) await rm(ticketsRoot, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
