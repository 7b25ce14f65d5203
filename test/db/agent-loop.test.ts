// The agent loop with the real SDK clients against a scripted model server (both wire formats),
// real read-only tools over a real git checkout, and usage metered into the real database.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactToolResults, runAgentLoop, type AgentLoopOptions } from '../../src/agent/loop.ts';
import { createModelClient } from '../../src/agent/providers/create-model-client.ts';
import type { ModelMessage, ProviderName } from '../../src/agent/providers/model-client.ts';
import { defineTool, READ_ONLY_TOOLS } from '../../src/agent/tools/index.ts';
import { DEFAULT_PRICES } from '../../src/agent/pricing.ts';
import { listTokenUsage } from '../../src/db/token-usage.ts';
import { z } from 'zod';
import { startModelServer, type ModelServer } from '../support/model-server.ts';
import { backendName, useTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

let server: ModelServer;
let root: string;

beforeAll(async () => {
  server = await startModelServer();
  root = mkdtempSync(join(tmpdir(), 'agent-loop-'));
  writeFileSync(join(root, 'app.js'), 'export const answer = 42;\n');
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe(`agent loop [${backendName}]`, () => {
  const db = useTestDatabase();

  async function options(provider: ProviderName, overrides: Partial<AgentLoopOptions> = {}): Promise<AgentLoopOptions> {
    server.requests.length = 0;
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    const model = provider === 'openai' ? 'gpt-4o-mini' : 'claude-sonnet-4-6';
    return {
      client: createModelClient({ provider, model, apiKey: 'test-key', baseUrl: provider === 'openai' ? `${server.url}/v1` : server.url, timeoutMs: 5000, maxRetries: 0 }),
      meter: { knex: db().knex, runId: run.id, prices: DEFAULT_PRICES },
      step: 'answer',
      system: 'You answer questions about the repository.',
      messages: [{ role: 'user', content: 'What is the answer?' }],
      tools: READ_ONLY_TOOLS,
      toolContext: { root },
      maxTurns: 5,
      maxOutputTokens: 1024,
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  test.each<ProviderName>(['openai', 'anthropic'])('%s: tool calls run in the workspace and their results go back until the model answers', async (provider) => {
    server.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', input: { path: 'app.js' } }, { name: 'read_file', input: { path: '/etc/passwd' } }], usage: { input: 100, output: 10 } },
      { kind: 'text', text: 'It is 42, see `app.js:1`.', usage: { input: 200, output: 20 } },
    );
    const opts = await options(provider);
    const seen: string[] = [];
    const result = await runAgentLoop({ ...opts, onToolCall: (call, outcome) => void seen.push(`${call.name}:${outcome.isError}`) });

    expect(result).toMatchObject({ text: 'It is 42, see `app.js:1`.', ending: 'answered', turns: 2, toolCalls: 2 });
    expect(seen).toEqual(['read_file:false', 'read_file:true']);
    const second = JSON.stringify(server.requests[1]!.body.messages);
    expect(second).toContain('export const answer = 42;');
    expect(second).toMatch(/escapes the workspace|outside the workspace|absolute/i);
    const usage = await listTokenUsage(db().knex, opts.meter.runId);
    expect(usage.map((u) => [u.step, u.outputTokens])).toEqual([
      ['answer', 10],
      ['answer', 20],
    ]);
  });

  test('a successful call to the finishing tool ends the loop; a rejected one does not', async () => {
    let submitted: unknown;
    const finish = defineTool({
      name: 'submit',
      description: 'Submit the result.',
      input: z.object({ value: z.number().int() }).strict(),
      run: (input) => {
        submitted = input;
        return 'ok';
      },
    });
    server.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'submit', input: { value: 'forty-two' } }] },
      { kind: 'tool_calls', calls: [{ name: 'submit', input: { value: 42 } }] },
    );
    const result = await runAgentLoop({ ...(await options('openai')), tools: [finish], finishTool: 'submit' });
    expect(result.ending).toBe('finished');
    expect(result.turns).toBe(2);
    expect(submitted).toEqual({ value: 42 });
    expect(JSON.stringify(server.requests[1]!.body.messages)).toMatch(/invalid arguments for submit[\s\S]*value/);
  });

  test('out of turns: the last tool result asks for an answer, and calls in the extra turn are not run', async () => {
    server.setFallback({ kind: 'tool_calls', calls: [{ name: 'list_files', input: {} }] });
    try {
      const opts = await options('openai', { maxTurns: 2 });
      const result = await runAgentLoop(opts);
      expect(result.ending).toBe('out_of_turns');
      expect(result.toolCalls).toBe(2);
      expect(server.requests).toHaveLength(3);
      const lastSent = server.requests[2]!.body.messages.at(-1);
      expect(lastSent.content).toContain('this was your last tool call');
      // Every call has a result, so the conversation stays valid for a follow-up request.
      const calls = result.messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []) : []));
      const answered = new Set(result.messages.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : [])));
      expect(calls.every((call) => answered.has(call.id))).toBe(true);
    } finally {
      server.setFallback(undefined);
    }
  });

  test('a token budget stops the loop after the turn that crosses it', async () => {
    server.setFallback({ kind: 'tool_calls', calls: [{ name: 'list_files', input: {} }], usage: { input: 600, output: 100 } });
    try {
      const result = await runAgentLoop({ ...(await options('openai')), budget: { maxTokens: 1000 } });
      expect(result.ending).toBe('over_budget');
      expect(result.turns).toBe(2);
      expect(server.requests).toHaveLength(2);
    } finally {
      server.setFallback(undefined);
    }
  });
});

describe('compactToolResults', () => {
  const tool = (id: string, size: number): ModelMessage => ({ role: 'tool', toolCallId: id, content: 'x'.repeat(size) });

  test('elides the oldest tool outputs first and keeps the newest', () => {
    const messages: ModelMessage[] = [{ role: 'user', content: 'q' }, tool('a', 1000), tool('b', 1000), tool('c', 1000)];
    compactToolResults(messages, 2200);
    expect(messages.map((m) => m.content.length > 900)).toEqual([false, false, true, true]);
    expect(messages[1]!.content).toMatch(/elided/);
  });

  test('leaves a conversation under the limit alone', () => {
    const messages: ModelMessage[] = [{ role: 'user', content: 'q' }, tool('a', 100)];
    compactToolResults(messages, 1000);
    expect(messages[1]!.content).toBe('x'.repeat(100));
  });
});
