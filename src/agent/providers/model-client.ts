// The one seam between ticketsmith and any language model. Both providers map their SDK's
// wire format onto these types, so the agent loop never sees a vendor shape.

export type ProviderName = 'openai' | 'anthropic';

/** A tool the model may call. `inputSchema` is a JSON Schema object (from zod's toJSONSchema). */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments. When the model sent malformed JSON this is the raw string, so validation fails loudly. */
  input: unknown;
}

export type ModelMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string; isError?: boolean };

export interface ModelRequest {
  /** Stable instructions; providers that support prompt caching cache this prefix. */
  system: string;
  messages: ModelMessage[];
  tools?: ToolSpec[];
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of, or in addition to, inputTokens per provider; see each adapter). */
  cachedInputTokens: number;
}

export type StopReason = 'end' | 'tool_use' | 'max_tokens' | 'other';

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: ModelUsage;
  /** The model that actually answered, as the provider reports it. */
  model: string;
}

export interface ModelClient {
  readonly provider: ProviderName;
  readonly model: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

export interface ModelClientOptions {
  provider: ProviderName;
  model: string;
  apiKey: string;
  /** Overrides the SDK's default endpoint (OpenAI-compatible servers, proxies, test stand-ins). */
  baseUrl?: string;
  timeoutMs: number;
  /** Retries on 429, 5xx and connection errors, with the SDK's exponential backoff. */
  maxRetries: number;
}

export type ModelErrorKind = 'unavailable' | 'auth' | 'rate_limited' | 'bad_request' | 'timeout' | 'cancelled';

/** A model failure explained in one sentence that is safe to show a user (no secrets, no raw bodies). */
export class ModelError extends Error {
  readonly kind: ModelErrorKind;
  readonly provider: ProviderName;
  readonly status: number | undefined;

  constructor(kind: ModelErrorKind, provider: ProviderName, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelError';
    this.kind = kind;
    this.provider = provider;
    this.status = status;
  }
}
