// Pure: the request the model gets for @make_plan — the issue thread, the plan being revised
// (when there is one) and the maintainer's notes. Only the notes are instructions.
import { fenceUntrusted } from '../agent/untrusted.ts';
import type { ModelMessage } from '../agent/providers/model-client.ts';
import type { IssueThread } from '../github/repo-gateway.ts';
import type { StoredPlan } from '../db/plans.ts';
import { renderThread } from './chat-context.ts';

export interface PlanContextInput {
  thread: IssueThread;
  triggerCreatedAt: Date;
  requester: string;
  notes: string;
  previous?: StoredPlan | undefined;
  nonce?: string;
}

export function buildPlanMessages(input: PlanContextInput): ModelMessage[] {
  const parts = ['Here is the issue thread to plan for:', fenceUntrusted('issue-thread', renderThread(input), input.nonce)];
  const { previous } = input;
  if (previous) {
    const newer = input.thread.comments.filter(
      (c) => c.createdAt.getTime() > previous.createdAt.getTime() && c.createdAt.getTime() <= input.triggerCreatedAt.getTime(),
    );
    parts.push(
      `This is a revision. The latest plan is version ${previous.version}, made against commit ${previous.baseSha.slice(0, 12)} on ${previous.createdAt.toISOString()}:`,
      fenceUntrusted(`plan-v${previous.version}`, JSON.stringify(previous.plan, null, 2), input.nonce),
      newer.length > 0
        ? `${newer.length} comment(s) in the thread were posted after version ${previous.version} (those after ${previous.createdAt.toISOString()}); take them into account.`
        : `No comments were posted after version ${previous.version}.`,
    );
  }
  const notes = input.notes.trim();
  parts.push(
    `The request from @${input.requester}, a maintainer (this is the instruction to follow):`,
    previous
      ? notes
        ? `Revise plan version ${previous.version} according to these notes:\n\n${notes}`
        : `Revise plan version ${previous.version} in the light of the newer comments and the current code.`
      : notes
        ? `Write an implementation plan for this issue. Notes:\n\n${notes}`
        : 'Write an implementation plan for this issue.',
    'Explore the code first, then call `submit_plan` with the plan.',
  );
  return [{ role: 'user', content: parts.join('\n\n') }];
}
