// A scripted stand-in for the OpenAI Chat Completions and Anthropic Messages endpoints, speaking
// their real wire formats (JSON and SSE) so tests can drive the real SDKs without a network.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Token counts in provider-neutral terms: `input` is the whole prompt, `cached` the part read from
 * the prompt cache and `cacheWrite` the part written to it (both included in `input`). For Anthropic
 * they are split the way that API reports them (input_tokens excludes cache reads and writes).
 */
export interface ScriptedUsage {
  input?: number;
  output?: number;
  cached?: number;
  cacheWrite?: number;
}

export type ScriptedReply =
  | { kind: 'text'; text: string; usage?: ScriptedUsage; model?: string; truncated?: boolean }
  | {
      kind: 'tool_calls';
      /** rawArguments replaces the JSON arguments on the OpenAI wire (and Anthropic's streamed partial_json). */
      calls: { id?: string; name: string; input: unknown; rawArguments?: string }[];
      text?: string;
      usage?: ScriptedUsage;
      model?: string;
    }
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'hang' }
  /** Answers `reply` only once `until` settles, so a test decides when this model call returns. */
  | { kind: 'held'; until: Promise<unknown>; reply: Extract<ScriptedReply, { kind: 'text' | 'tool_calls' }> };

export interface RecordedRequest {
  provider: 'openai' | 'anthropic';
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface ModelServer {
  /** Origin only: OpenAI clients use `${url}/v1`, Anthropic clients use it as is (the SDK adds /v1/messages). */
  url: string;
  requests: RecordedRequest[];
  enqueue(...replies: ScriptedReply[]): void;
  setFallback(reply: ScriptedReply | undefined): void;
  close(): Promise<void>;
}

type Provider = RecordedRequest['provider'];
type Answer = Exclude<ScriptedReply, { kind: 'status' } | { kind: 'hang' } | { kind: 'held' }>;

interface Counters { next(prefix: string): string }

export async function startModelServer(): Promise<ModelServer> {
  const queue: ScriptedReply[] = [];
  let fallback: ScriptedReply | undefined;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let counter = 0;
  const ids: Counters = { next: (prefix) => `${prefix}${String(++counter).padStart(4, '0')}` };

  const server = createServer((req, res) => {
    readBody(req).then((text) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const provider: Provider | undefined = path.endsWith('/chat/completions')
        ? 'openai'
        : path.endsWith('/messages')
          ? 'anthropic'
          : undefined;
      if (!provider) {
        sendJson(res, 404, { error: { message: `model-server: no route for ${path}`, type: 'not_found' } });
        return;
      }
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, errorBody(provider, 400, 'model-server: request body is not JSON', req));
        return;
      }
      requests.push({ provider, path, headers: { ...req.headers }, body });

      const reply = queue.shift() ?? fallback;
      if (!reply) {
        // x-should-retry stops the SDK from retrying, so an under-scripted test fails at once and says why.
        const message = `model-server: the script ran out of replies (request #${requests.length} to ${path})`;
        sendJson(res, 500, errorBody(provider, 500, message, req), { 'x-should-retry': 'false' });
        return;
      }
      switch (reply.kind) {
        case 'held': {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          const release = () => {
            if (res.destroyed) return;
            if (provider === 'openai') answerOpenAI(res, body, reply.reply, ids);
            else answerAnthropic(res, body, reply.reply, ids);
          };
          void reply.until.then(release, release);
          return;
        }
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        case 'status': {
          const headers: Record<string, string> = {};
          if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
          sendJson(res, reply.status, errorBody(provider, reply.status, undefined, req), headers);
          return;
        }
        default:
          if (provider === 'openai') answerOpenAI(res, body, reply, ids);
          else answerAnthropic(res, body, reply, ids);
      }
    }).catch((error: unknown) => {
      // A client that hung up mid-body lands here too; there is nobody left to answer.
      if (res.headersSent || res.destroyed) return void res.destroy();
      sendJson(res, 500, { error: { message: `model-server failed: ${String(error)}`, type: 'server_error' } }, { 'x-should-retry': 'false' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setFallback: (reply) => void (fallback = reply),
    close: async () => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendSse(res: ServerResponse, events: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const event of events) res.write(event);
  res.end();
}

function presentedKey(req: IncomingMessage): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') return auth.replace(/^Bearer\s+/i, '');
  const key = req.headers['x-api-key'];
  return typeof key === 'string' ? key : '';
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

// Error bodies in each provider's shape. The 401 body echoes the presented key in full (OpenAI's
// real one echoes a masked copy) so tests can prove that error bodies never reach users.
function errorBody(provider: Provider, status: number, message: string | undefined, req: IncomingMessage) {
  const text =
    message ??
    (status === 401
      ? `Incorrect API key provided: ${presentedKey(req)}.`
      : status === 429
        ? 'Rate limit reached for requests.'
        : status >= 500
          ? 'The server had an error while processing your request.'
          : `Request failed with status ${status}.`);
  if (provider === 'openai') {
    const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
    return { error: { message: text, type, param: null, code } };
  }
  const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: text }, request_id: 'req_standin' };
}

const callsOf = (reply: Answer) => (reply.kind === 'tool_calls' ? reply.calls : []);

// ---- OpenAI Chat Completions ----

function openAIUsage(usage: ScriptedUsage | undefined) {
  const input = usage?.input ?? 0;
  const output = usage?.output ?? 0;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: usage?.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function answerOpenAI(res: ServerResponse, body: any, reply: Answer, ids: Counters): void {
  const id = ids.next('chatcmpl-standin');
  const created = Math.floor(Date.now() / 1000);
  const model = reply.model ?? String(body.model);
  const calls = callsOf(reply).map((call) => ({
    id: call.id ?? ids.next('call_standin'),
    type: 'function' as const,
    function: { name: call.name, arguments: call.rawArguments ?? JSON.stringify(call.input) },
  }));
  const text = reply.text;
  const finish = calls.length > 0 ? 'tool_calls' : reply.kind === 'text' && reply.truncated ? 'length' : 'stop';
  const envelope = { id, created, model, system_fingerprint: 'fp_standin' };

  if (body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: text ?? null, refusal: null, annotations: [] };
    if (calls.length > 0) message['tool_calls'] = calls;
    sendJson(res, 200, {
      ...envelope,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: openAIUsage(reply.usage),
      service_tier: 'default',
    });
    return;
  }

  // With stream_options.include_usage the real API adds a final choice-less chunk carrying usage,
  // and every earlier chunk has "usage": null; without it the field is absent.
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ ...envelope, object: 'chat.completion.chunk', service_tier: 'default', choices, ...(withUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);

  const events = [delta({ role: 'assistant', content: '', refusal: null })];
  for (const piece of splitText(text ?? '')) events.push(delta({ content: piece }));
  calls.forEach((call, index) => {
    events.push(
      delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }),
    );
    for (const piece of splitText(call.function.arguments)) {
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(delta({}, finish));
  if (withUsage) events.push(chunk([], { usage: openAIUsage(reply.usage) }));
  events.push('data: [DONE]\n\n');
  sendSse(res, events);
}

// ---- Anthropic Messages ----

function anthropicUsage(usage: ScriptedUsage | undefined) {
  const cached = usage?.cached ?? 0;
  const cacheWrite = usage?.cacheWrite ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.input ?? 0) - cached - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cached,
    cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: usage?.output ?? 0,
    service_tier: 'standard',
  };
}

function answerAnthropic(res: ServerResponse, body: any, reply: Answer, ids: Counters): void {
  const id = ids.next('msg_standin');
  const model = reply.model ?? String(body.model);
  const text = reply.text;
  const calls = callsOf(reply).map((call) => ({ ...call, id: call.id ?? ids.next('toolu_standin') }));
  const stopReason = calls.length > 0 ? 'tool_use' : reply.kind === 'text' && reply.truncated ? 'max_tokens' : 'end_turn';
  const usage = anthropicUsage(reply.usage);
  const content: Record<string, unknown>[] = [];
  if (text !== undefined && text !== '') content.push({ type: 'text', text });
  for (const call of calls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  const message = { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };

  if (body.stream !== true) {
    sendJson(res, 200, message, { 'request-id': ids.next('req_standin') });
    return;
  }

  const event = (name: string, data: Record<string, unknown>) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  const events = [
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }),
    event('ping', {}),
  ];
  let index = 0;
  if (text !== undefined && text !== '') {
    events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const piece of splitText(text)) {
      events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    }
    events.push(event('content_block_stop', { index }));
    index++;
  }
  for (const call of calls) {
    events.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
    for (const piece of splitText(call.rawArguments ?? JSON.stringify(call.input))) {
      events.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
    }
    events.push(event('content_block_stop', { index }));
    index++;
  }
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = usage;
  events.push(
    event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens },
    }),
    event('message_stop', {}),
  );
  sendSse(res, events);
}

/** Streams real APIs in small fragments; splitting proves the client reassembles them. */
function splitText(text: string, size = 7): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
