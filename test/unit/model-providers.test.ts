import { describe, test, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { createModelClient } from '../../src/agent/providers/create-model-client.ts';
import {
  ModelError,
  type ModelClientOptions,
  type ModelMessage,
  type ProviderName,
  type ToolSpec,
} from '../../src/agent/providers/model-client.ts';
import { startModelServer, type ModelServer } from '../support/model-server.ts';

const API_KEY = 'sk-test-DO-NOT-LEAK-4f9a2c';
const SYSTEM = 'You are ticketsmith, a careful engineer.';

const TOOLS: ToolSpec[] = [
  {
    name: 'read_file',
    description: 'Read a file from the repository.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'list_dir',
    description: 'List a directory.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
];

const CALLS = [
  { id: 'call_a', name: 'read_file', input: { path: 'README.md' } },
  { id: 'call_b', name: 'list_dir', input: { path: 'src' } },
];

/** A conversation that went: user asks, assistant calls two tools, both results come back. */
const ROUND_TRIP: ModelMessage[] = [
  { role: 'user', content: 'What does this repo do?' },
  { role: 'assistant', content: 'Let me look.', toolCalls: CALLS },
  { role: 'tool', toolCallId: 'call_a', content: '# ticketsmith' },
  { role: 'tool', toolCallId: 'call_b', content: 'ENOENT: no such directory', isError: true },
];

let server: ModelServer;
let host: string;

// Jest runs tests in a vm realm, but Node's fetch rejects with errors from the outer realm. The
// OpenAI SDK then fails `instanceof Error`, loses the AbortError name and reports its own timeouts
// as plain connection errors. Re-creating the error in this realm restores what plain Node does.
const outerFetch = globalThis.fetch;
function realmLocal(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return Object.assign(new Error(String(message), { cause: error }), { name: String(name) });
}

beforeAll(async () => {
  globalThis.fetch = ((input, init) => outerFetch(input, init).catch((error: unknown) => {
    throw realmLocal(error);
  })) as typeof fetch;
  server = await startModelServer();
  host = new URL(server.url).host;
});
afterAll(async () => {
  globalThis.fetch = outerFetch;
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setFallback(undefined);
});

const PROVIDERS: { provider: ProviderName; label: string; model: string; baseUrl: () => string }[] = [
  { provider: 'openai', label: 'OpenAI', model: 'gpt-4o-mini', baseUrl: () => `${server.url}/v1` },
  { provider: 'anthropic', label: 'Anthropic', model: 'claude-haiku-4-5', baseUrl: () => server.url },
];

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error('expected the call to fail');
}

describe.each(PROVIDERS)('$provider adapter against the stand-in', ({ provider, label, model, baseUrl }) => {
  const client = (overrides: Partial<ModelClientOptions> = {}) =>
    createModelClient({ provider, model, apiKey: API_KEY, baseUrl: baseUrl(), timeoutMs: 5000, maxRetries: 2, ...overrides });

  test('maps a text answer, its usage (cached tokens included) and the answering model', async () => {
    server.enqueue({
      kind: 'text',
      text: 'It answers issue comments.',
      model: `${model}-2025-01-01`,
      usage: { input: 1500, output: 42, cached: 1000, cacheWrite: 300 },
    });
    const response = await client().complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] });

    expect(response).toEqual({
      text: 'It answers issue comments.',
      toolCalls: [],
      stopReason: 'end',
      usage: { inputTokens: 1500, outputTokens: 42, cachedInputTokens: 1000 },
      model: `${model}-2025-01-01`,
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.provider).toBe(provider);
    expect(request?.body.model).toBe(model);
    expect(request?.path).toBe(provider === 'openai' ? '/v1/chat/completions' : '/v1/messages');
    // @anthropic-ai/sdk 1.x sends an API key as a bearer token too, not as x-api-key.
    expect(request?.headers['authorization']).toBe(`Bearer ${API_KEY}`);
  });

  test('maps tool calls and the tool_use stop reason', async () => {
    server.enqueue({ kind: 'tool_calls', text: 'Let me look.', calls: CALLS, usage: { input: 10, output: 5 } });
    const response = await client().complete({ system: SYSTEM, messages: [ROUND_TRIP[0]!], tools: TOOLS });

    expect(response.text).toBe('Let me look.');
    expect(response.toolCalls).toEqual(CALLS);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 });
  });

  test('maps a truncated answer to max_tokens and passes maxOutputTokens through', async () => {
    server.enqueue({ kind: 'text', text: 'It answers iss', truncated: true });
    const response = await client().complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 64 });

    expect(response.stopReason).toBe('max_tokens');
    const body = server.requests[0]?.body;
    expect(provider === 'openai' ? body.max_completion_tokens : body.max_tokens).toBe(64);
  });

  test('retries two 500s and returns the third answer', async () => {
    server.enqueue(
      { kind: 'status', status: 500, retryAfterMs: 5 },
      { kind: 'status', status: 500, retryAfterMs: 5 },
      { kind: 'text', text: 'third time lucky' },
    );
    const response = await client().complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] });

    expect(response.text).toBe('third time lucky');
    expect(server.requests).toHaveLength(3);
  });

  test('a persistent 503 becomes an unavailable error after maxRetries + 1 requests', async () => {
    server.setFallback({ kind: 'status', status: 503, retryAfterMs: 1 });
    const error = await failure(client({ maxRetries: 2 }).complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.kind).toBe('unavailable');
    expect(error.provider).toBe(provider);
    expect(error.status).toBe(503);
    expect(error.message).toBe(`The ${label} API at ${host} did not answer after 3 attempts (HTTP 503).`);
    expect(server.requests).toHaveLength(3);
  });

  test('a persistent 429 becomes rate_limited', async () => {
    server.setFallback({ kind: 'status', status: 429, retryAfterMs: 1 });
    const error = await failure(client({ maxRetries: 1 }).complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.kind).toBe('rate_limited');
    expect(error.message).toBe(`The ${label} API at ${host} was still rate limiting after 2 attempts (HTTP 429).`);
    expect(server.requests).toHaveLength(2);
  });

  test('a 401 becomes auth without retrying, and never shows the key the body echoed', async () => {
    server.enqueue({ kind: 'status', status: 401 });
    const error = await failure(client().complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).toBe(`The ${label} API at ${host} rejected the configured API key (HTTP 401).`);
    expect(error.message).not.toContain(API_KEY);
    expect(String(error)).not.toContain(API_KEY);
    expect(String(error)).toBe(`ModelError: ${error.message}`);
    // The SDK's own message quotes the response body, key included: that is what must stay out.
    expect((error.cause as Error).message).toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
  });

  test('a 400 becomes bad_request naming only the error type', async () => {
    server.enqueue({ kind: 'status', status: 400 });
    const error = await failure(client().complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.kind).toBe('bad_request');
    expect(error.message).toBe(`The ${label} API at ${host} rejected the request (HTTP 400, invalid_request_error).`);
    expect(server.requests).toHaveLength(1);
  });

  test('a server that never answers times out on every attempt', async () => {
    server.setFallback({ kind: 'hang' });
    const error = await failure(
      client({ timeoutMs: 300, maxRetries: 1 }).complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }),
    );

    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`The ${label} API at ${host} did not answer within 300 ms on any of 2 attempts.`);
    expect(server.requests).toHaveLength(2);
  });

  test('aborting the signal cancels a pending request', async () => {
    server.setFallback({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(
      client({ timeoutMs: 10_000 }).complete({
        system: SYSTEM,
        messages: [{ role: 'user', content: 'Hi' }],
        signal: controller.signal,
      }),
    );

    expect(error.kind).toBe('cancelled');
    expect(error.message).toBe(`The request to the ${label} API at ${host} was cancelled.`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  test('an endpoint nobody listens on is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = `http://127.0.0.1:${port}${provider === 'openai' ? '/v1' : ''}`;
    const error = await failure(
      client({ baseUrl: dead, maxRetries: 0 }).complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }),
    );

    expect(error.kind).toBe('unavailable');
    expect(error.message).toBe(`Could not connect to the ${label} API at 127.0.0.1:${port} after 1 attempt.`);
  });

  test('refuses to start without an API key', () => {
    expect(() => client({ apiKey: ' ' })).toThrow(ModelError);
    expect(() => client({ apiKey: '' })).toThrow(`No API key is configured for the ${label} API at ${host}`);
  });
});

describe('OpenAI wire format', () => {
  const client = () =>
    createModelClient({ provider: 'openai', model: 'gpt-4.1', apiKey: API_KEY, baseUrl: `${server.url}/v1`, timeoutMs: 5000, maxRetries: 0 });

  test('sends the system prompt, assistant tool_calls and one tool message per result', async () => {
    server.enqueue({ kind: 'text', text: 'A GitHub App.' });
    const response = await client().complete({ system: SYSTEM, messages: ROUND_TRIP, tools: TOOLS });

    expect(response.text).toBe('A GitHub App.');
    expect(server.requests[0]?.body).toEqual({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'What does this repo do?' },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } },
            { id: 'call_b', type: 'function', function: { name: 'list_dir', arguments: '{"path":"src"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '# ticketsmith' },
        { role: 'tool', tool_call_id: 'call_b', content: 'Tool error: ENOENT: no such directory' },
      ],
      tools: TOOLS.map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      })),
    });
  });

  test('malformed tool arguments arrive as the raw string and are replayed verbatim', async () => {
    const raw = '{"path": "README.md"';
    server.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_bad', name: 'read_file', input: null, rawArguments: raw }] });
    const first = await client().complete({ system: SYSTEM, messages: [ROUND_TRIP[0]!], tools: TOOLS });
    expect(first.toolCalls).toEqual([{ id: 'call_bad', name: 'read_file', input: raw }]);
    expect(first.text).toBe('');

    server.enqueue({ kind: 'text', text: 'Sorry.' });
    await client().complete({
      system: SYSTEM,
      messages: [
        ROUND_TRIP[0]!,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_bad', content: 'arguments are not valid JSON', isError: true },
      ],
      tools: TOOLS,
    });
    expect(server.requests[1]?.body.messages[2]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_bad', type: 'function', function: { name: 'read_file', arguments: raw } }],
    });
  });

  test('the stand-in streams real Chat Completions SSE (raw SDK stream and the stream helper)', async () => {
    const sdk = new OpenAI({ apiKey: API_KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const reply = {
      kind: 'tool_calls' as const,
      text: 'Checking the README first.',
      calls: [{ id: 'call_s', name: 'read_file', input: { path: 'README.md' } }],
      usage: { input: 900, output: 31, cached: 512 },
    };
    server.enqueue(reply, reply);

    const stream = await sdk.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let args = '';
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice) {
        text += choice.delta.content ?? '';
        args += choice.delta.tool_calls?.[0]?.function?.arguments ?? '';
        finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Checking the README first.');
    expect(args).toBe('{"path":"README.md"}');
    expect(finishReasons.at(-1)).toBe('tool_calls');
    expect(usage?.prompt_tokens).toBe(900);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(512);
    expect(usage?.completion_tokens).toBe(31);
    expect(server.requests[0]?.body.stream).toBe(true);

    const final = await sdk.chat.completions
      .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
      .finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Checking the README first.');
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_s', type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } },
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

describe('Anthropic wire format', () => {
  const client = () =>
    createModelClient({ provider: 'anthropic', model: 'claude-opus-4-1', apiKey: API_KEY, baseUrl: server.url, timeoutMs: 5000, maxRetries: 0 });

  test('groups consecutive tool results into one user turn and caches the system prompt and tools', async () => {
    server.enqueue({ kind: 'text', text: 'A GitHub App.' });
    const response = await client().complete({ system: SYSTEM, messages: ROUND_TRIP, tools: TOOLS });

    expect(response.text).toBe('A GitHub App.');
    expect(server.requests[0]?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(server.requests[0]?.body).toEqual({
      model: 'claude-opus-4-1',
      max_tokens: 4096,
      system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'What does this repo do?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'call_a', name: 'read_file', input: { path: 'README.md' } },
            { type: 'tool_use', id: 'call_b', name: 'list_dir', input: { path: 'src' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: '# ticketsmith' },
            { type: 'tool_result', tool_use_id: 'call_b', content: 'ENOENT: no such directory', is_error: true },
          ],
        },
      ],
      tools: [
        { name: 'read_file', description: 'Read a file from the repository.', input_schema: TOOLS[0]!.inputSchema },
        {
          name: 'list_dir',
          description: 'List a directory.',
          input_schema: TOOLS[1]!.inputSchema,
          cache_control: { type: 'ephemeral' },
        },
      ],
    });
  });

  test('the stand-in streams real Messages SSE (raw events and the stream helper)', async () => {
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0 });
    const reply = {
      kind: 'tool_calls' as const,
      text: 'Checking the README first.',
      calls: [{ id: 'toolu_s', name: 'read_file', input: { path: 'README.md' } }],
      usage: { input: 900, output: 31, cached: 512 },
    };
    server.enqueue(reply, reply);

    const stream = await sdk.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      'message_start',
      ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop'],
      'message_delta',
      'message_stop',
    ]);

    const final = await sdk.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Checking the README first.' },
      { type: 'tool_use', id: 'toolu_s', name: 'read_file', input: { path: 'README.md' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.input_tokens).toBe(388);
    expect(final.usage.cache_read_input_tokens).toBe(512);
    expect(final.usage.output_tokens).toBe(31);
  });
});

describe('the stand-in itself', () => {
  test('an unscripted request fails at once with a message saying the script ran out', async () => {
    const client = createModelClient({ provider: 'openai', model: 'gpt-4o', apiKey: API_KEY, baseUrl: `${server.url}/v1`, timeoutMs: 5000, maxRetries: 2 });
    const error = await failure(client.complete({ system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.kind).toBe('unavailable');
    // x-should-retry: false stops the SDK's retries, and the message counts only the one attempt.
    expect(error.message).toBe(`The OpenAI API at ${host} did not answer after 1 attempt (HTTP 500).`);
    expect((error.cause as Error).message).toContain('the script ran out of replies (request #1 to /v1/chat/completions)');
    expect(server.requests).toHaveLength(1);
  });

  test('close() ends requests that are still hanging', async () => {
    const own = await startModelServer();
    own.setFallback({ kind: 'hang' });
    const pending = outerFetch(`${own.url}/v1/messages`, { method: 'POST', body: '{"model":"m"}' }).then(
      () => 'answered',
      () => 'connection ended',
    );
    while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    await own.close();
    expect(await pending).toBe('connection ended');
    expect(own.requests).toEqual([expect.objectContaining({ provider: 'anthropic', path: '/v1/messages', body: { model: 'm' } })]);
  });
});

describe('createModelClient', () => {
  test('builds the adapter named by the provider', () => {
    const base = { apiKey: API_KEY, timeoutMs: 1000, maxRetries: 0 };
    const openai = createModelClient({ ...base, provider: 'openai', model: 'gpt-4.1' });
    const anthropic = createModelClient({ ...base, provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect([openai.provider, openai.model]).toEqual(['openai', 'gpt-4.1']);
    expect([anthropic.provider, anthropic.model]).toEqual(['anthropic', 'claude-haiku-4-5']);
  });

  test('rejects an unknown provider by name', () => {
    const options = { provider: 'gemini', model: 'x', apiKey: API_KEY, timeoutMs: 1000, maxRetries: 0 };
    expect(() => createModelClient(options as unknown as ModelClientOptions)).toThrow(
      'Unknown model provider "gemini"; expected "openai" or "anthropic".',
    );
  });
});
