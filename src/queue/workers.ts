// The worker role: pull jobs and hand each to its executor. The run queue's singleton policy
// (see runJobOptions) makes a second command on a ticket wait for the first, on any node.
import { executeReplyJob } from '../commands/replies.ts';
import type { Services } from '../services.ts';
import { executeCleanupJob } from './cleanup-worker.ts';
import { QUEUES } from './jobs.ts';
import { executeDeadRunJob, executeRunJob, type WorkerJob } from './run-worker.ts';

export async function startWorkers(services: Services): Promise<void> {
  const { boss, config } = services;
  const polling = { pollingIntervalSeconds: config.queue.pollSeconds };
  const each = (execute: (services: Services, job: WorkerJob) => Promise<void>) => async (jobs: WorkerJob[]) => {
    for (const job of jobs) await execute(services, job);
  };
  await boss.work(QUEUES.run, { ...polling, localConcurrency: config.queue.concurrency }, each(executeRunJob));
  await boss.work(QUEUES.runDead, polling, each(executeDeadRunJob));
  await boss.work(QUEUES.reply, { ...polling, localConcurrency: 2 }, each(executeReplyJob));
  await boss.work(QUEUES.cleanup, polling, each(executeCleanupJob));
}
