// Pure: turns an issue thread, the ticket's memory and the request into model messages.
import { fenceUntrusted, truncateMiddle } from '../agent/untrusted.ts';
import type { ModelMessage } from '../agent/providers/model-client.ts';
import type { ConversationMessage } from '../db/messages.ts';
import type { IssueThread } from '../github/repo-gateway.ts';

export interface ChatContextLimits {
  perCommentChars: number;
  threadChars: number;
}

export const DEFAULT_CHAT_LIMITS: ChatContextLimits = { perCommentChars: 8_000, threadChars: 60_000 };

export interface ChatContextInput {
  thread: IssueThread;
  /** When the triggering comment was made: later comments, and edits made later, are not read. */
  triggerCreatedAt: Date;
  memory: ConversationMessage[];
  requester: string;
  question: string;
  nonce?: string;
}

export function renderThread(input: Pick<ChatContextInput, 'thread' | 'triggerCreatedAt'>, limits: ChatContextLimits = DEFAULT_CHAT_LIMITS): string {
  const { thread, triggerCreatedAt } = input;
  const header = `## Issue #${thread.number}: ${thread.title}\nOpened by @${thread.author}\n\n${truncateMiddle(thread.body || '(no description)', limits.perCommentChars)}`;
  const comments = thread.comments
    .filter((c) => c.createdAt.getTime() <= triggerCreatedAt.getTime())
    .map((c) => {
      const body = c.updatedAt.getTime() > triggerCreatedAt.getTime() ? '(edited after the request was made; not shown)' : truncateMiddle(c.body, limits.perCommentChars);
      return `### Comment by @${c.author}${c.authorType === 'Bot' ? ' (bot)' : ''} at ${c.createdAt.toISOString()}\n${body}`;
    });
  // When the thread is too long, the oldest comments go first: the latest discussion matters most.
  const parts = [header, ...comments];
  const size = (list: string[]) => list.reduce((sum, p) => sum + p.length + 2, 0);
  const omissionNote = (n: number) => `(${n} older comment${n === 1 ? '' : 's'} omitted for length)`;
  let dropped = 0;
  // The note counts against the budget too, so kept comments stay whole.
  while (parts.length > 2 && size(parts) + (dropped > 0 ? omissionNote(dropped).length + 2 : 0) > limits.threadChars) {
    parts.splice(1, 1);
    dropped += 1;
  }
  if (dropped > 0) parts.splice(1, 0, omissionNote(dropped));
  return truncateMiddle(parts.join('\n\n'), limits.threadChars);
}

export function buildChatMessages(input: ChatContextInput, limits: ChatContextLimits = DEFAULT_CHAT_LIMITS): ModelMessage[] {
  const history: ModelMessage[] = input.memory.map((m) => ({ role: m.role, content: m.content }));
  // Providers require the conversation to start with the user and alternate; memory is stored in
  // question/answer pairs, but a defensive trim keeps a damaged history from failing the request.
  while (history.length > 0 && history[0]?.role !== 'user') history.shift();
  while (history.length > 0 && history[history.length - 1]?.role !== 'assistant') history.pop();
  const context = fenceUntrusted('issue-thread', renderThread(input, limits), input.nonce);
  const request = [
    'Here is the issue thread this conversation is about:',
    context,
    `The request from @${input.requester}, a maintainer (this is the instruction to follow):`,
    input.question,
  ].join('\n\n');
  return [...history, { role: 'user', content: request }];
}
