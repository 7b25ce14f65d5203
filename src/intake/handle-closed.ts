// issues.closed and pull_request.closed: the ticket's workspace is no longer needed. The webhook
// only records the intent as a job (the workspace lives on a worker's disk, and the webhook must
// answer fast); the cleanup worker does the removal.
import { z } from 'zod';
import { QUEUES, jobIdFor, type CleanupJob } from '../queue/jobs.ts';
import type { Services } from '../services.ts';
import { describeZodIssues } from './comment-payload.ts';

const RepositorySchema = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });

const IssueClosedSchema = z.object({
  action: z.literal('closed'),
  repository: RepositorySchema,
  issue: z.object({ number: z.number().int().positive() }),
});

const PullRequestClosedSchema = z.object({
  action: z.literal('closed'),
  repository: RepositorySchema,
  pull_request: z.object({
    number: z.number().int().positive(),
    merged: z.boolean().nullable().optional(),
    head: z.object({ ref: z.string().min(1), repo: z.object({ full_name: z.string() }).nullable() }),
  }),
});

export type CloseOutcome = 'invalid_payload' | 'ignored' | 'queued';

export async function handleIssueClosed(services: Services, deliveryId: string, payload: unknown): Promise<CloseOutcome> {
  const parsed = IssueClosedSchema.safeParse(payload);
  if (!parsed.success) return invalid(services, deliveryId, 'issues.closed', parsed.error);
  const { repository, issue } = parsed.data;
  return enqueue(services, deliveryId, { repo: `${repository.owner.login}/${repository.name}`, target: { kind: 'issue', issueNumber: issue.number } });
}

export async function handlePullRequestClosed(services: Services, deliveryId: string, payload: unknown): Promise<CloseOutcome> {
  const parsed = PullRequestClosedSchema.safeParse(payload);
  if (!parsed.success) return invalid(services, deliveryId, 'pull_request.closed', parsed.error);
  const { repository, pull_request: pr } = parsed.data;
  const repo = `${repository.owner.login}/${repository.name}`;
  // A ticket's pull request comes from its own branch in the same repository; a fork's branch
  // of the same name is someone else's.
  if (pr.head.repo?.full_name !== repo) return 'ignored';
  return enqueue(services, deliveryId, { repo, target: { kind: 'branch', branch: pr.head.ref } });
}

async function enqueue(services: Services, deliveryId: string, job: CleanupJob): Promise<CloseOutcome> {
  await services.boss.send(QUEUES.cleanup, job, { id: jobIdFor(deliveryId, 'cleanup') });
  return 'queued';
}

function invalid(services: Services, deliveryId: string, event: string, error: z.ZodError): CloseOutcome {
  services.log.warn({ deliveryId, event, problems: describeZodIssues(error) }, 'ignored a delivery that lacks required fields');
  return 'invalid_payload';
}
