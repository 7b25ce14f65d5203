// What an authorized command turns into: a tracked run on the ticket's lane, or a short reply.
// Called from the webhook (allow-listed authors) and from the permission check (everyone else).
import { createTicketRun } from '../db/runs.ts';
import { QUEUES, jobIdFor, type CommentTrigger, type ReplyAction, type ReplyJob } from '../queue/jobs.ts';
import type { Services } from '../services.ts';
import { ticketBranchName } from '../workspace/branch-name.ts';
import type { ParsedCommand } from './parse-command.ts';

export type AcceptOutcome = 'queued' | 'duplicate' | ReplyAction;

export interface AcceptOptions {
  /** Record the webhook delivery in the same statement as the run (the webhook's fast path). */
  recordDelivery?: boolean;
}

export async function acceptCommand(services: Services, trigger: CommentTrigger, command: ParsedCommand, options: AcceptOptions = {}): Promise<AcceptOutcome> {
  const action = replyActionFor(command);
  if (action) {
    await enqueueReply(services, { action, trigger, command });
    return action;
  }
  const created = await createTicketRun(services.db.knex, {
    ticket: {
      repo: `${trigger.owner}/${trigger.repo}`,
      issueNumber: trigger.issueNumber,
      title: trigger.issueTitle,
      installationId: trigger.installationId,
      branch: ticketBranchName(trigger.issueNumber, trigger.issueTitle),
      cloneUrl: trigger.cloneUrl,
      htmlUrl: trigger.htmlUrl,
      defaultBranch: trigger.defaultBranch,
    },
    deliveryId: trigger.deliveryId,
    command: command.name,
    args: command.args,
    requester: trigger.requester,
    triggerCommentId: trigger.commentId,
    triggerCreatedAt: new Date(trigger.commentCreatedAt),
    ...(options.recordDelivery ? { delivery: { event: 'issue_comment', action: 'created' } } : {}),
  });
  if (!created) return 'duplicate';
  // Committed: the run is durable in the outbox; the dispatcher hands it to the queue.
  services.dispatcher.nudge();
  return 'queued';
}

export function replyActionFor(command: ParsedCommand): ReplyAction | undefined {
  switch (command.name) {
    case 'chat':
      return command.args.trim() ? undefined : 'help';
    case 'make_plan':
      return undefined;
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
