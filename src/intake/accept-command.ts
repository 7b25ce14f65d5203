// What an authorized command turns into: a tracked run on the ticket's lane, or a short reply.
// Called from the webhook (allow-listed authors) and from the permission check (everyone else).
import { createRun } from '../db/runs.ts';
import { upsertTicket } from '../db/tickets.ts';
import { QUEUES, jobIdFor, runJobOptions, type CommentTrigger, type ReplyAction, type ReplyJob, type RunJob } from '../queue/jobs.ts';
import type { Services } from '../services.ts';
import { ticketBranchName } from '../workspace/branch-name.ts';
import type { ParsedCommand } from './parse-command.ts';

export type AcceptOutcome = 'queued' | ReplyAction;

export async function acceptCommand(services: Services, trigger: CommentTrigger, command: ParsedCommand): Promise<AcceptOutcome> {
  const action = replyActionFor(command);
  if (action) {
    await enqueueReply(services, { action, trigger, command });
    return action;
  }
  const { knex } = services.db;
  const ticket = await upsertTicket(knex, {
    repo: `${trigger.owner}/${trigger.repo}`,
    issueNumber: trigger.issueNumber,
    title: trigger.issueTitle,
    installationId: trigger.installationId,
    branch: ticketBranchName(trigger.issueNumber, trigger.issueTitle),
  });
  const run = await createRun(knex, {
    ticketId: ticket.id,
    deliveryId: trigger.deliveryId,
    command: command.name,
    args: command.args,
    requester: trigger.requester,
    triggerCommentId: trigger.commentId,
    triggerCreatedAt: new Date(trigger.commentCreatedAt),
  });
  const job: RunJob = { runId: run.id };
  // The job id is the delivery id: sending twice (a redelivery after a crash) queues it once.
  await services.boss.send(QUEUES.run, job, runJobOptions(trigger.deliveryId, ticket.id));
  return 'queued';
}

function replyActionFor(command: ParsedCommand): ReplyAction | undefined {
  switch (command.name) {
    case 'chat':
      return command.args.trim() ? undefined : 'help';
    case 'make_plan':
    case 'dev':
      return 'unavailable';
    case 'help':
      return 'help';
    case 'cancel':
      return 'cancel';
  }
}

export async function enqueueReply(services: Services, job: ReplyJob): Promise<void> {
  await services.boss.send(QUEUES.reply, job, { id: jobIdFor(job.trigger.deliveryId, job.action) });
}
