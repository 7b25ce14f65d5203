// Messages API adapter. The system prompt and tool list are identical on every turn of an agent
// run, so they carry cache breakpoints: later turns read them from the prompt cache.

import Anthropic from '@anthropic-ai/sdk';
import {
  ModelError,
  type ModelClient,
  type ModelClientOptions,
  type ModelMessage,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type ToolCall,
  type ToolSpec,
} from './model-client.ts';
import { endpointHost, toModelError } from './model-errors.ts';

const DEFAULT_MAX_TOKENS = 4096;
const CACHE_BREAKPOINT = { type: 'ephemeral' } as const;

export function createAnthropicClient(options: ModelClientOptions): ModelClient {
  const sdk = new Anthropic({
    apiKey: requireApiKey(options),
    baseURL: options.baseUrl,
    timeout: Math.max(1, Math.ceil(options.timeoutMs)),
    maxRetries: options.maxRetries,
  });

  async function complete(request: ModelRequest): Promise<ModelResponse> {
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: options.model,
      max_tokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
      messages: toMessageParams(request.messages),
    };
    // The API rejects empty text blocks, so an empty prompt is left out rather than cached.
    if (request.system !== '') {
      body.system = [{ type: 'text', text: request.system, cache_control: CACHE_BREAKPOINT }];
    }
    if (request.tools && request.tools.length > 0) body.tools = toTools(request.tools);

    let message: Anthropic.Message;
    try {
      message = await sdk.messages.create(body, { signal: request.signal });
    } catch (error) {
      throw toModelError(error, {
        provider: 'anthropic',
        baseUrl: sdk.baseURL,
        maxRetries: options.maxRetries,
        timeoutMs: options.timeoutMs,
        signal: request.signal,
      });
    }
    return fromMessage(message, options.model);
  }

  return { provider: 'anthropic', model: options.model, complete };
}

function requireApiKey(options: ModelClientOptions): string {
  if (options.apiKey.trim() === '') {
    const host = endpointHost(options.baseUrl ?? 'https://api.anthropic.com');
    throw new ModelError('auth', 'anthropic', `No API key is configured for the Anthropic API at ${host}.`);
  }
  return options.apiKey;
}

function toTools(tools: ToolSpec[]): Anthropic.Tool[] {
  return tools.map((tool, index) => {
    const converted: Anthropic.Tool = {
      name: tool.name,
      description: tool.description,
      input_schema: { type: 'object', ...tool.inputSchema },
    };
    // One breakpoint on the last tool caches the whole tool list (tools precede system in the cache prefix).
    if (index === tools.length - 1) converted.cache_control = CACHE_BREAKPOINT;
    return converted;
  });
}

function toMessageParams(messages: ModelMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  // Results of one assistant turn's parallel tool calls must arrive together in a single user turn.
  let pendingResults: Anthropic.ToolResultBlockParam[] = [];
  const flushResults = () => {
    if (pendingResults.length === 0) return;
    out.push({ role: 'user', content: pendingResults });
    pendingResults = [];
  };

  for (const message of messages) {
    if (message.role === 'tool') {
      const result: Anthropic.ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
      };
      if (message.isError) result.is_error = true;
      pendingResults.push(result);
      continue;
    }
    flushResults();
    if (message.role === 'user') {
      out.push({ role: 'user', content: message.content });
      continue;
    }
    const blocks: Anthropic.ContentBlockParam[] = [];
    if (message.content !== '') blocks.push({ type: 'text', text: message.content });
    for (const call of message.toolCalls ?? []) {
      blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toolUseInput(call.input) });
    }
    // The API rejects an empty assistant turn; dropping it leaves adjacent user turns, which it merges.
    if (blocks.length > 0) out.push({ role: 'assistant', content: blocks });
  }
  flushResults();
  return out;
}

/** tool_use.input must be an object; a malformed call is replayed as an empty one (its error result explains). */
function toolUseInput(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

function stopReasonOf(reason: Anthropic.StopReason | null): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end';
    case 'tool_use':
      return 'tool_use';
    case 'max_tokens':
      return 'max_tokens';
    default:
      return 'other';
  }
}

function fromMessage(message: Anthropic.Message, requestedModel: string): ModelResponse {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, input: block.input });
  }
  const usage = message.usage;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    text: texts.join(''),
    toolCalls,
    stopReason: stopReasonOf(message.stop_reason),
    usage: {
      // Anthropic's input_tokens counts only tokens after the last cache breakpoint; cache reads and
      // writes are reported beside it. Summing them makes inputTokens the total prompt size, as OpenAI's
      // prompt_tokens is, so cachedInputTokens is a subset of inputTokens for both providers.
      // Cache writes stay in the uncached share (billed at the input rate, although Anthropic
      // charges them 1.25x).
      inputTokens: usage.input_tokens + cacheRead + cacheWrite,
      outputTokens: usage.output_tokens,
      cachedInputTokens: cacheRead,
    },
    model: message.model || requestedModel,
  };
}
