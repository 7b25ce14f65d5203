import type { Knex } from 'knex';

export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: string;
  runId: number | null;
}

export async function appendMessages(knex: Knex, ticketId: number, runId: number, messages: { role: 'user' | 'assistant'; content: string }[]): Promise<void> {
  if (messages.length === 0) return;
  await knex('messages').insert(messages.map((m) => ({ ticket_id: ticketId, run_id: runId, role: m.role, content: m.content })));
}

/** The most recent `limit` messages of a ticket, oldest first. */
export async function listConversation(knex: Knex, ticketId: number, limit: number): Promise<ConversationMessage[]> {
  const rows = await knex('messages').where({ ticket_id: ticketId }).orderBy('id', 'desc').limit(limit);
  return rows.reverse().map((row) => ({ role: row.role, content: row.content, runId: row.run_id ?? null }));
}
