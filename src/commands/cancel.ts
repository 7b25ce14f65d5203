// @cancel: queued runs end at once; running runs are flagged and their worker stops them.
import type { Knex } from 'knex';
import { finishRun, requestCancel } from '../db/runs.ts';
import { findTicket } from '../db/tickets.ts';
import type { Logger } from '../log.ts';
import type { PgBoss } from '../queue/boss.ts';
import { QUEUES, jobIdFor } from '../queue/jobs.ts';

export interface CancelResult {
  cancelledQueued: number;
  cancelRequestedRunning: number;
}

export async function cancelTicketRuns(knex: Knex, boss: PgBoss, log: Logger, repo: string, issueNumber: number): Promise<CancelResult> {
  const ticket = await findTicket(knex, repo, issueNumber);
  if (!ticket) return { cancelledQueued: 0, cancelRequestedRunning: 0 };
  const runs = await requestCancel(knex, ticket.id);
  let cancelledQueued = 0;
  for (const run of runs.filter((r) => r.state === 'queued')) {
    if (await finishRun(knex, run.id, 'cancelled')) cancelledQueued += 1;
    // The run row is authoritative; removing the job only saves a worker the trip.
    await boss.cancel(QUEUES.run, jobIdFor(run.deliveryId)).catch((error: unknown) => log.debug({ err: error }, 'job already gone'));
  }
  return { cancelledQueued, cancelRequestedRunning: runs.filter((r) => r.state === 'running').length };
}
