// Runs one tracked command: prepare (claim the run, open the tracking comment) → execute →
// finish, where every path ends the run in a final state unless a retry will.
import { ModelError } from '../agent/providers/model-client.ts';
import { chatCommand } from '../commands/chat.ts';
import { makePlanCommand } from '../commands/make-plan.ts';
import type { RunCommand } from '../commands/command.ts';
import { FINAL_RUN_STATES, finishRun, getRun, noteRunError, startRun, type Run } from '../db/runs.ts';
import { getTicket, type Ticket } from '../db/tickets.ts';
import { RunCancelledError } from '../errors.ts';
import type { RepoGateway } from '../github/repo-gateway.ts';
import { RunTracker, type RunTrackerDeps } from '../reporting/run-tracker.ts';
import { requireGitHub, type Services } from '../services.ts';
import { watchForCancel } from './cancel-watch.ts';
import { removeWorkspaceIfClosed } from './cleanup-worker.ts';
import { describeFailure, isPermanentFailure } from './failure.ts';
import { DEAD_RUN_RETRY_LIMIT, RunJobSchema } from './jobs.ts';

const RUN_COMMANDS: Record<string, RunCommand> = { chat: chatCommand, make_plan: makePlanCommand };

export interface WorkerJob {
  id: string;
  data: unknown;
  retryCount: number;
  signal: AbortSignal;
}

export async function executeRunJob(services: Services, job: WorkerJob): Promise<void> {
  const { knex } = services.db;
  const { runId } = RunJobSchema.parse(job.data);
  const log = services.log.child({ runId, jobId: job.id });
  const existing = await getRun(knex, runId);
  if (!existing || FINAL_RUN_STATES.includes(existing.state)) {
    log.info({ state: existing?.state }, 'run already ended; nothing to do');
    return;
  }
  const run = await startRun(knex, runId);
  const ticket = run ? await getTicket(knex, run.ticketId) : undefined;
  if (!run || !ticket) return;

  const { gateway, command, tracker } = await openRun(services, run, ticket);

  if (run.cancelRequestedAt) return endCancelled(services, run, tracker);
  if (!command) return endFailed(services, run, tracker, `ticketsmith cannot run @${run.command} yet.`);

  const cancel = watchForCancel(knex, run.id, job.signal);
  try {
    const result = await command.execute({ run, ticket, gateway, tracker, knex, config: services.config, log, workspaces: services.workspaces, signal: cancel.signal });
    if (cancel.cancelledByUser()) throw new RunCancelledError();
    await tracker.complete(result.body, result.summary);
    await finishRun(knex, run.id, 'completed');
    log.info('run completed');
  } catch (error) {
    await handleRunError(services, { run, ticket, tracker, job, error, cancelledByUser: cancel.cancelledByUser() });
  } finally {
    cancel.stop();
    await removeWorkspaceIfClosed(services, ticket.id).catch((error: unknown) => log.warn({ err: error }, 'could not remove the workspace of a closed ticket'));
  }
}

interface RunErrorContext {
  run: Run;
  ticket: Ticket;
  tracker: RunTracker;
  job: WorkerJob;
  error: unknown;
  cancelledByUser: boolean;
}

async function handleRunError(services: Services, { run, tracker, job, error, cancelledByUser }: RunErrorContext): Promise<void> {
  const log = services.log.child({ runId: run.id, jobId: job.id });
  const aborted = error instanceof RunCancelledError || (error instanceof ModelError && error.kind === 'cancelled');
  if (cancelledByUser || (aborted && !job.signal.aborted)) return endCancelled(services, run, tracker);
  if (job.signal.aborted) {
    // The worker is shutting down: the job goes back to the queue and resumes elsewhere.
    log.warn('worker stopping mid-run; the job will be retried');
    throw error;
  }
  const message = describeFailure(error, services.redact);
  const lastAttempt = job.retryCount >= services.config.queue.retryLimit;
  if (isPermanentFailure(error) || lastAttempt) {
    log.warn({ err: error }, 'run failed');
    return endFailed(services, run, tracker, message);
  }
  log.warn({ err: error, retryCount: job.retryCount }, 'run attempt failed; retrying');
  await noteRunError(services.db.knex, run.id, message);
  await tracker.retrying(message, run.attempts + 1).catch(() => undefined);
  throw error;
}

async function endCancelled(services: Services, run: Run, tracker: RunTracker): Promise<void> {
  await tracker.cancel();
  await finishRun(services.db.knex, run.id, 'cancelled');
}

async function endFailed(services: Services, run: Run, tracker: RunTracker, message: string): Promise<void> {
  await tracker.fail(message);
  await finishRun(services.db.knex, run.id, 'failed', message);
}

/** A run whose job died for good (retries exhausted, or its worker vanished on the last attempt). */
export async function executeDeadRunJob(services: Services, job: WorkerJob): Promise<void> {
  const { knex } = services.db;
  const { runId } = RunJobSchema.parse(job.data);
  const run = await getRun(knex, runId);
  const ticket = run ? await getTicket(knex, run.ticketId) : undefined;
  if (!run || !ticket || FINAL_RUN_STATES.includes(run.state)) return;
  const message = run.error ?? 'The run stopped unexpectedly and could not be retried.';
  try {
    const { tracker } = await openRun(services, run, ticket);
    await endFailed(services, run, tracker, message);
    await removeWorkspaceIfClosed(services, ticket.id).catch((error: unknown) => services.log.warn({ err: error, runId }, 'could not remove the workspace of a closed ticket'));
  } catch (error) {
    if (job.retryCount < DEAD_RUN_RETRY_LIMIT) throw error;
    // GitHub stayed unreachable: the comment cannot be fixed, but the run must not stay "running".
    services.log.error({ err: error, runId }, 'could not post the failure of a dead run; marking it failed anyway');
    await finishRun(knex, run.id, 'failed', message);
  }
}

/** The run's GitHub gateway, its command, and its tracking comment (created on first use). */
async function openRun(services: Services, run: Run, ticket: Ticket): Promise<{ gateway: RepoGateway; command: RunCommand | undefined; tracker: RunTracker }> {
  const [owner, repo] = ticket.repo.split('/') as [string, string];
  const gateway = await requireGitHub(services).forRepo(ticket.installationId, owner, repo);
  const command = RUN_COMMANDS[run.command];
  const tracker = await RunTracker.open(trackerDeps(services, gateway, run), run, ticket.issueNumber, command?.steps ?? [{ id: 'init', label: 'Start' }]);
  return { gateway, command, tracker };
}

function trackerDeps(services: Services, gateway: RepoGateway, run: Run): RunTrackerDeps {
  return {
    knex: services.db.knex,
    gateway,
    events: services.events,
    log: services.log.child({ runId: run.id }),
    editIntervalMs: services.config.comments.editIntervalMs,
    secrets: services.config.secrets,
  };
}
