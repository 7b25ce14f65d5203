// The outbox relay. Intake commits a run (with its delivery and ticket) in one statement and
// answers GitHub at once; this loop moves committed runs into pg-boss in batches. The job id is
// still the delivery id, so relaying twice (two nodes, a crash between insert and stamp) queues
// a run once. Keeping pg-boss's insert off the webhook path is what lets intake stay fast.
import type { Knex } from 'knex';
import { listUnenqueuedRuns, markRunsEnqueued } from '../db/runs.ts';
import type { Logger } from '../log.ts';
import type { PgBoss } from './boss.ts';
import { QUEUES, runJobOptions, type RunJob } from './jobs.ts';

export interface RunDispatcherOptions {
  /** Safety-net sweep for runs no nudge announced (another node's, or from before a crash). */
  sweepIntervalMs: number;
  /** How long a nudge waits for company: under load, runs arriving together go in one insert. */
  batchWindowMs: number;
  batchSize: number;
}

export class RunDispatcher {
  readonly #knex: Knex;
  readonly #boss: PgBoss;
  readonly #log: Logger;
  readonly #options: RunDispatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(knex: Knex, boss: PgBoss, log: Logger, options: RunDispatcherOptions = { sweepIntervalMs: 2000, batchWindowMs: 20, batchSize: 200 }) {
    this.#knex = knex;
    this.#boss = boss;
    this.#log = log.child({ name: 'dispatcher' });
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => this.#relay(), this.#options.sweepIntervalMs);
    this.#timer.unref();
    this.#relay();
  }

  /** Relay soon. Nudges within the batch window, or during a relay, coalesce into one pass. */
  nudge(): void {
    if (this.#stopped || this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#relay();
    }, this.#options.batchWindowMs);
  }

  #relay(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#relayUntilEmpty().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once everything committed so far has been relayed (tests, shutdown). */
  async drain(): Promise<void> {
    do {
      while (this.#running) await this.#running;
      await this.#relayUntilEmpty();
    } while ((await listUnenqueuedRuns(this.#knex, 1)).length > 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    await this.#running;
  }

  async #relayUntilEmpty(): Promise<void> {
    try {
      let deferred = false;
      do {
        this.#again = false;
        for (;;) {
          const pass = await this.#relayBatch();
          deferred ||= pass.deferred;
          if (!pass.full) break;
        }
      } while (this.#again && !this.#stopped);
      // A ticket's later runs wait one window, so they are created after its earlier ones.
      if (deferred) this.nudge();
    } catch (error) {
      // The runs stay in the outbox; the next nudge or sweep relays them.
      this.#log.error({ err: error }, 'could not relay runs to the queue; will retry');
    }
  }

  async #relayBatch(): Promise<{ full: boolean; deferred: boolean }> {
    const pending = await listUnenqueuedRuns(this.#knex, this.#options.batchSize);
    if (pending.length === 0) return { full: false, deferred: false };
    // Jobs inserted together share a creation time, and pg-boss would then pick among them in
    // any order: take only a ticket's oldest run per batch, so its commands run in the order made.
    const seen = new Set<number>();
    const batch = pending.filter((run) => !seen.has(run.ticketId) && seen.add(run.ticketId));
    await this.#boss.insert(
      QUEUES.run,
      batch.map((run) => ({ ...runJobOptions(run.deliveryId, run.ticketId), data: { runId: run.id } satisfies RunJob })),
    );
    await markRunsEnqueued(this.#knex, batch.map((run) => run.id));
    return { full: pending.length === this.#options.batchSize && batch.length === pending.length, deferred: batch.length < pending.length };
  }
}
