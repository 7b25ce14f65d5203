// @chat: answer a question from the issue thread and the ticket's conversation memory.
import { meteredComplete } from '../agent/metered-call.ts';
import { modelClientFor } from '../agent/model-selection.ts';
import { setRunModel } from '../db/runs.ts';
import { appendMessages, listConversation } from '../db/messages.ts';
import { loadPrompt } from '../prompts.ts';
import { buildChatMessages } from './chat-context.ts';
import type { RunCommand } from './command.ts';

const MEMORY_MESSAGES = 20;

export const chatCommand: RunCommand = {
  steps: [
    { id: 'init', label: 'Start' },
    { id: 'context', label: 'Read the issue thread' },
    { id: 'answer', label: 'Ask the model' },
    { id: 'complete', label: 'Post the answer' },
  ],

  async execute({ run, ticket, gateway, tracker, knex, config, signal }) {
    await tracker.begin('init', `@${run.requester} asked a question`);
    const client = modelClientFor(config.model, 'chat');
    await setRunModel(knex, run.id, client.model);

    await tracker.begin('context', `Reading ${ticket.repo}#${ticket.issueNumber}`);
    const thread = await gateway.getIssueThread(ticket.issueNumber, run.triggerCommentId);
    const memory = await listConversation(knex, ticket.id, MEMORY_MESSAGES);

    await tracker.begin('answer', `Asking ${client.provider}:${client.model}`);
    const response = await meteredComplete({ knex, runId: run.id, prices: config.model.prices }, client, 'answer', {
      system: loadPrompt('chat', { repository: ticket.repo }),
      messages: buildChatMessages({ thread, triggerCreatedAt: run.triggerCreatedAt, memory, requester: run.requester, question: run.args }),
      maxOutputTokens: config.model.maxOutputTokens,
      signal,
    });
    const answer = response.text.trim() || '_The model returned an empty answer._';

    await tracker.begin('complete', 'Posting the answer');
    await appendMessages(knex, ticket.id, run.id, [
      { role: 'user', content: run.args },
      { role: 'assistant', content: answer },
    ]);
    return { body: answer, summary: `Answered with ${response.usage.outputTokens} output tokens` };
  },
};
