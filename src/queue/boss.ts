// pg-boss on the application's own database: PGlite's instance when embedded, a pool of its own
// on Postgres. Queue options live here so every role creates the queues identically.
import { PgBoss, fromPglite } from 'pg-boss';
import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import { DEAD_RUN_RETRY_LIMIT, QUEUES } from './jobs.ts';

export type { PgBoss };

export async function startQueue(db: Database, options: Config['queue'], log: Logger): Promise<PgBoss> {
  const boss = db.pglite
    ? new PgBoss({ backend: 'pglite', db: fromPglite(db.pglite) } as ConstructorParameters<typeof PgBoss>[0])
    : new PgBoss({ connectionString: db.url!, max: 5 });
  boss.on('error', (error: unknown) => log.error({ err: error }, 'job queue error'));
  await boss.start();

  const retry = { retryLimit: options.retryLimit, retryDelay: options.retryDelaySeconds, retryBackoff: true, retryDelayMax: 600 };
  await boss.createQueue(QUEUES.runDead, { retryLimit: DEAD_RUN_RETRY_LIMIT, retryDelay: options.retryDelaySeconds, retryBackoff: true, expireInSeconds: 300 });
  await boss.createQueue(QUEUES.run, { ...retry, policy: 'singleton', expireInSeconds: options.expireInSeconds, deadLetter: QUEUES.runDead });
  await boss.createQueue(QUEUES.reply, { ...retry, expireInSeconds: 300 });
  await boss.createQueue(QUEUES.cleanup, { ...retry, expireInSeconds: 600 });
  return boss;
}

export interface QueueHealth {
  ok: boolean;
  queued?: number;
  active?: number;
  error?: string;
}

export async function queueHealth(boss: PgBoss): Promise<QueueHealth> {
  try {
    const queue = await boss.getQueue(QUEUES.run);
    return { ok: true, queued: queue?.queuedCount ?? 0, active: queue?.activeCount ?? 0 };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
