// Chat Completions adapter. Chat Completions (not the Responses API) because vLLM, Ollama and
// llama.cpp speak it too, so one adapter covers OpenAI and self-hosted models.

import OpenAI from 'openai';
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

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;
type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type ChatToolCall = OpenAI.Chat.Completions.ChatCompletionMessageToolCall;

export function createOpenAIClient(options: ModelClientOptions): ModelClient {
  const sdk = new OpenAI({
    apiKey: requireApiKey(options),
    baseURL: options.baseUrl,
    // The SDK insists on integer milliseconds.
    timeout: Math.max(1, Math.ceil(options.timeoutMs)),
    maxRetries: options.maxRetries,
  });

  async function complete(request: ModelRequest): Promise<ModelResponse> {
    const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
      model: options.model,
      messages: toChatMessages(request.system, request.messages),
    };
    if (request.tools && request.tools.length > 0) body.tools = request.tools.map(toChatTool);
    // max_tokens is deprecated and rejected by o-series models; vLLM, Ollama and llama.cpp accept this name too.
    if (request.maxOutputTokens !== undefined) body.max_completion_tokens = request.maxOutputTokens;

    let completion: ChatCompletion;
    try {
      completion = await sdk.chat.completions.create(body, { signal: request.signal });
    } catch (error) {
      throw toModelError(error, {
        provider: 'openai',
        baseUrl: sdk.baseURL,
        maxRetries: options.maxRetries,
        timeoutMs: options.timeoutMs,
        signal: request.signal,
      });
    }
    return fromChatCompletion(completion, options.model, sdk.baseURL);
  }

  return { provider: 'openai', model: options.model, complete };
}

function requireApiKey(options: ModelClientOptions): string {
  // Self-hosted servers usually ignore the key, but the SDK refuses to start without one;
  // failing here gives the user a sentence instead of the SDK's environment-variable advice.
  if (options.apiKey.trim() === '') {
    const host = endpointHost(options.baseUrl ?? 'https://api.openai.com/v1');
    throw new ModelError(
      'auth',
      'openai',
      `No API key is configured for the OpenAI API at ${host} (self-hosted servers accept any placeholder).`,
    );
  }
  return options.apiKey;
}

function toChatTool(tool: ToolSpec): ChatTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
}

function toChatMessages(system: string, messages: ModelMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (system !== '') out.push({ role: 'system', content: system });
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        out.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          out.push({ role: 'assistant', content: message.content });
          break;
        }
        out.push({
          role: 'assistant',
          // The API wants null rather than "" next to tool calls.
          content: message.content === '' ? null : message.content,
          tool_calls: calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: serializeArguments(call.input) },
          })),
        });
        break;
      }
      case 'tool':
        out.push({
          role: 'tool',
          tool_call_id: message.toolCallId,
          // Chat Completions has no error flag on tool results, so the model can only tell from the text.
          content: message.isError ? `Tool error: ${message.content}` : message.content,
        });
        break;
    }
  }
  return out;
}

/** Replaying a malformed call must send back exactly what the model produced, not a JSON-quoted string. */
function serializeArguments(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

function parseArguments(raw: unknown): unknown {
  // Some compatible servers already send an object; "" is how a few of them say "no arguments".
  if (typeof raw !== 'string') return raw ?? {};
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function fromToolCall(call: ChatToolCall): ToolCall | undefined {
  if (call.type !== 'function') return undefined;
  return { id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) };
}

function stopReasonOf(finish: string | null | undefined): StopReason {
  switch (finish) {
    case 'stop':
      return 'end';
    case 'tool_calls':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    default:
      return 'other';
  }
}

function fromChatCompletion(completion: ChatCompletion, requestedModel: string, baseUrl: string): ModelResponse {
  const choice = completion.choices?.[0];
  if (!choice) {
    throw new ModelError(
      'unavailable',
      'openai',
      `The OpenAI API at ${endpointHost(baseUrl)} answered without any completion choice.`,
    );
  }
  const message = choice.message;
  const toolCalls = (message.tool_calls ?? []).map(fromToolCall).filter((call) => call !== undefined);
  const usage = completion.usage;
  return {
    text: message.content ?? message.refusal ?? '',
    toolCalls,
    stopReason: stopReasonOf(choice.finish_reason),
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      // prompt_tokens already counts these; they are the discounted part of it.
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
    model: completion.model || requestedModel,
  };
}
