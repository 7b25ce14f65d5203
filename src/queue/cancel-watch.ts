// Cancellation crosses processes: `@cancel` may be handled on one node while the run works on
// another, so the running side polls its run's cancel flag and turns it into an AbortSignal.
import type { Knex } from 'knex';
import { isCancelRequested } from '../db/runs.ts';

export interface CancelWatch {
  /** Aborts on a user's cancel or when the worker itself is stopping. */
  signal: AbortSignal;
  cancelledByUser(): boolean;
  stop(): void;
}

export function watchForCancel(knex: Knex, runId: number, workerSignal: AbortSignal, intervalMs = 1000): CancelWatch {
  const controller = new AbortController();
  let byUser = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    isCancelRequested(knex, runId)
      .then((requested) => {
        if (requested && !controller.signal.aborted) {
          byUser = true;
          controller.abort(new Error('cancelled by user'));
        }
      })
      .catch(() => undefined) // a missed poll is retried on the next tick
      .finally(() => {
        checking = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    signal: AbortSignal.any([controller.signal, workerSignal]),
    cancelledByUser: () => byUser,
    stop: () => clearInterval(timer),
  };
}
