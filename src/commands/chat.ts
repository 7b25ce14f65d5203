// @chat: answer a question about the issue and the code, exploring the ticket's workspace with
// read-only tools. Answers cite code as links to the default branch at the commit explored, and
// the ticket's conversation memory carries over to follow-up questions.
import { linkCitations } from '../agent/citations.ts';
import { modelClientFor } from '../agent/model-selection.ts';
import { appendMessages, listConversation } from '../db/messages.ts';
import { setRunModel } from '../db/runs.ts';
import { buildChatMessages } from './chat-context.ts';
import type { RunCommand } from './command.ts';
import { workspaceFileInfo } from './workspace-file-info.ts';
import { exploreRepository, openWorkspaceForRun, repoSystemPrompt } from './repo-agent.ts';

const MEMORY_MESSAGES = 20;

export const chatCommand: RunCommand = {
  steps: [
    { id: 'init', label: 'Start' },
    { id: 'clone', label: 'Prepare the workspace' },
    { id: 'context', label: 'Read the issue thread' },
    { id: 'answer', label: 'Explore the code and answer' },
    { id: 'complete', label: 'Post the answer' },
  ],

  async execute(ctx) {
    const { run, ticket, gateway, tracker, knex, config } = ctx;
    await tracker.begin('init', `@${run.requester} asked a question`);

    await tracker.begin('clone', `Fetching ${ticket.repo}`);
    const opened = await openWorkspaceForRun(ctx);
    const client = modelClientFor(config.model, 'chat', opened.settings.config.model);
    await setRunModel(knex, run.id, client.model);

    await tracker.begin('context', `Reading ${ticket.repo}#${ticket.issueNumber}`);
    const thread = await gateway.getIssueThread(ticket.issueNumber, run.triggerCommentId);
    const memory = await listConversation(knex, ticket.id, MEMORY_MESSAGES);

    await tracker.begin('answer', `Asking ${client.provider}:${client.model} at ${opened.workspace.headSha.slice(0, 7)}`);
    const result = await exploreRepository(ctx, {
      client,
      opened,
      step: 'answer',
      system: repoSystemPrompt('chat', ctx, opened),
      messages: buildChatMessages({ thread, triggerCreatedAt: run.triggerCreatedAt, memory, requester: run.requester, question: run.args }),
    });
    const raw = result.text.trim() || emptyAnswer(result.ending);
    const answer = ticket.htmlUrl
      ? linkCitations(raw, { htmlUrl: ticket.htmlUrl, sha: opened.workspace.headSha, fileInfo: workspaceFileInfo(opened.workspace.path) }).text
      : raw;

    await tracker.begin('complete', 'Posting the answer');
    // Memory keeps the model's own words: links are presentation, and would only cost tokens.
    await appendMessages(knex, ticket.id, run.id, [
      { role: 'user', content: run.args },
      { role: 'assistant', content: raw },
    ]);
    return { body: answer, summary: `Answered after ${result.turns} model turn(s) and ${result.toolCalls} tool call(s)` };
  },
};

function emptyAnswer(ending: string): string {
  if (ending === 'out_of_turns') return '_The model used every turn it was allowed without reaching an answer. Ask a narrower question, or raise the turn budget._';
  if (ending === 'over_budget') return '_The model reached the budget set for this repository before answering._';
  return '_The model returned an empty answer._';
}
