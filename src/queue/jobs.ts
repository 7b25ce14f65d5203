// Job payloads cross a process boundary (and survive restarts), so they are validated on the
// way out and on the way in.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CommandNameSchema } from '../intake/parse-command.ts';

export const QUEUES = {
  /** One job per run; grouped by ticket so a ticket runs one command at a time. */
  run: 'ticket-run',
  /** Runs whose job died for good (retries exhausted, worker lost): end them as failed. */
  runDead: 'ticket-run-dead',
  /** Short replies that need no run: help, refusals, cancel, "not available yet", permission checks. */
  reply: 'comment-reply',
  /** Removing the workspace of a closed issue or of a ticket whose pull request closed. */
  cleanup: 'workspace-cleanup',
} as const;

/** Attempts the dead-letter queue gets to post a dead run's failure before giving up on the comment. */
export const DEAD_RUN_RETRY_LIMIT = 5;

export const CommentTriggerSchema = z.object({
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  issueNumber: z.number().int().positive(),
  issueTitle: z.string(),
  isPullRequest: z.boolean(),
  commentId: z.number().int().positive(),
  commentCreatedAt: z.string().min(1),
  requester: z.string().min(1),
  authorAssociation: z.string(),
  cloneUrl: z.string().optional(),
  htmlUrl: z.string().optional(),
  defaultBranch: z.string().optional(),
});
export type CommentTrigger = z.infer<typeof CommentTriggerSchema>;

export const CommandSchema = z.object({ name: CommandNameSchema, args: z.string() });

export const RunJobSchema = z.object({ runId: z.number().int().positive() });
export type RunJob = z.infer<typeof RunJobSchema>;

export const REPLY_ACTIONS = ['authorize', 'help', 'unavailable', 'cancel'] as const;
export type ReplyAction = (typeof REPLY_ACTIONS)[number];

export const ReplyJobSchema = z.object({
  action: z.enum(REPLY_ACTIONS),
  trigger: CommentTriggerSchema,
  command: CommandSchema,
});
export type ReplyJob = z.infer<typeof ReplyJobSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * pg-boss ids are UUIDs. GitHub's X-GitHub-Delivery is one, and is used as is, so a redelivery
 * maps onto the job already queued. Anything else (a hand-made test delivery) is hashed into a
 * stable UUID; `scope` separates several jobs born of one delivery.
 */
export function jobIdFor(deliveryId: string, scope?: string): string {
  if (!scope && UUID.test(deliveryId)) return deliveryId.toLowerCase();
  const hex = createHash('sha256').update(scope ? `${deliveryId}:${scope}` : deliveryId).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const ticketGroup = (ticketId: number): string => `ticket-${ticketId}`;

/**
 * How a run job is sent. The run queue's `singleton` policy lets one job per singleton key be
 * active, enforced by a unique index, so a ticket runs one command at a time across every worker
 * and node (pg-boss's groupConcurrency is only a check inside the fetch and races on Postgres).
 */
export function runJobOptions(deliveryId: string, ticketId: number): { id: string; singletonKey: string } {
  return { id: jobIdFor(deliveryId), singletonKey: ticketGroup(ticketId) };
}

export const CleanupJobSchema = z.object({
  repo: z.string().regex(/^[^/]+\/[^/]+$/),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('issue'), issueNumber: z.number().int().positive() }),
    z.object({ kind: z.literal('branch'), branch: z.string().min(1) }),
  ]),
});
export type CleanupJob = z.infer<typeof CleanupJobSchema>;
