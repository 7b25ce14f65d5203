// The webhook's whole job: parse, gate, dedupe, record, enqueue, answer. No GitHub calls happen
// here (reactions and replies are the worker's), so GitHub gets its 2xx in milliseconds.
import { claimDelivery, completeDelivery } from '../db/deliveries.ts';
import { enqueueReply, acceptCommand, replyActionFor, type AcceptOutcome } from './accept-command.ts';
import type { CommentTrigger } from '../queue/jobs.ts';
import type { Services } from '../services.ts';
import { IssueCommentCreatedSchema, describeZodIssues, type IssueCommentCreated } from './comment-payload.ts';
import { decideGate, type GateDecision } from './gate.ts';
import { parseCommand, type ParsedCommand } from './parse-command.ts';
import type { Logger } from '../log.ts';

export type IntakeOutcome = 'invalid_payload' | 'no_command' | 'ignored_bot' | 'authorizing' | AcceptOutcome;

export async function handleIssueCommentCreated(services: Services, deliveryId: string, payload: unknown): Promise<IntakeOutcome> {
  const log = services.log.child({ deliveryId });
  const parsed = IssueCommentCreatedSchema.safeParse(payload);
  if (!parsed.success) {
    log.warn({ problems: describeZodIssues(parsed.error) }, 'ignored an issue_comment delivery that lacks required fields');
    return 'invalid_payload';
  }
  const event = parsed.data;
  const command = parseCommand(event.comment.body ?? '', { aliases: services.config.intake.aliases });
  if (!command) return 'no_command';

  const gateOptions = { allowedAssociations: services.config.intake.allowedAssociations };
  const association = event.comment.author_association;
  // The sender is checked too: a bot acting on a human's comment (an edit, a transfer) never triggers.
  const gate = decideGate({ ...event.comment.user, authorAssociation: association }, gateOptions);
  const ignored = [decideGate({ ...event.sender, authorAssociation: association }, gateOptions), gate].find(isIgnore);
  if (ignored) {
    log.debug({ reason: ignored.reason }, 'ignored a comment');
    return 'ignored_bot';
  }

  const trigger = toTrigger(deliveryId, event);
  const outcome =
    gate.kind === 'allow' && !replyActionFor(command)
      ? // The hot path: delivery, ticket and run commit in one statement; a redelivery creates nothing.
        await acceptCommand(services, trigger, command, { recordDelivery: true })
      : await acceptAfterClaim(services, trigger, command, gate.kind === 'allow', log);
  if (outcome === 'duplicate') {
    log.info('delivery already handled; ignoring the redelivery');
    return outcome;
  }
  log.info({ command: command.name, requester: trigger.requester, repo: `${trigger.owner}/${trigger.repo}`, issue: trigger.issueNumber, outcome }, 'command received');
  return outcome;
}

const isIgnore = (decision: GateDecision): decision is Extract<GateDecision, { kind: 'ignore' }> => decision.kind === 'ignore';

/** Replies and permission checks create no run to dedupe on, so the delivery row does it. */
async function acceptAfterClaim(services: Services, trigger: CommentTrigger, command: ParsedCommand, allowed: boolean, log: Logger): Promise<IntakeOutcome> {
  const claim = await claimDelivery(services.db.knex, trigger.deliveryId, 'issue_comment', 'created');
  if (claim === 'done') return 'duplicate';
  const outcome: IntakeOutcome = allowed
    ? await acceptCommand(services, trigger, command)
    : (await enqueueReply(services, { action: 'authorize', trigger, command }), 'authorizing');
  // Off the response path: the steps above are idempotent, so if this write is lost the delivery
  // merely reads as unfinished and a redelivery repeats them harmlessly.
  completeDelivery(services.db.knex, trigger.deliveryId, outcome).catch((error: unknown) => log.warn({ err: error }, 'could not mark the delivery complete'));
  return outcome;
}

function toTrigger(deliveryId: string, event: IssueCommentCreated): CommentTrigger {
  return {
    deliveryId,
    installationId: event.installation.id,
    owner: event.repository.owner.login,
    repo: event.repository.name,
    issueNumber: event.issue.number,
    issueTitle: event.issue.title,
    isPullRequest: event.issue.pull_request !== undefined && event.issue.pull_request !== null,
    commentId: event.comment.id,
    commentCreatedAt: event.comment.created_at,
    requester: event.comment.user.login,
    authorAssociation: event.comment.author_association,
    ...(event.repository.clone_url ? { cloneUrl: event.repository.clone_url } : {}),
    ...(event.repository.html_url ? { htmlUrl: event.repository.html_url } : {}),
    ...(event.repository.default_branch ? { defaultBranch: event.repository.default_branch } : {}),
  };
}
