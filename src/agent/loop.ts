// The agent loop, kept as plain as mini-swe-agent's: ask the model, run the tools it calls, feed
// the results back, until it answers without tools, calls the finishing tool, or runs out of turns.
// Everything clever lives in the tools, the prompts and the budgets.
import { meteredComplete, type MeterContext } from './metered-call.ts';
import { costOf } from './pricing.ts';
import type { ModelClient, ModelMessage, ModelResponse, ToolCall } from './providers/model-client.ts';
import { executeToolCall, toToolSpec, type Tool, type ToolContext, type ToolResult } from './tools/index.ts';

export interface AgentLoopOptions {
  client: ModelClient;
  meter: MeterContext;
  /** The step the model calls are recorded under. */
  step: string;
  system: string;
  messages: ModelMessage[];
  tools: readonly Tool[];
  toolContext: ToolContext;
  maxTurns: number;
  maxOutputTokens: number;
  signal: AbortSignal;
  /** A successful call to this tool ends the loop (e.g. submit_plan). */
  finishTool?: string;
  /** Stop after the turn that crosses either limit (tokens are input + output over all calls). */
  budget?: { maxTokens?: number | undefined; maxCostUsd?: number | undefined };
  /** Older tool results are elided once the conversation passes this many characters. */
  contextChars?: number;
  onToolCall?: (call: ToolCall, result: ToolResult, turn: number) => Promise<void> | void;
}

export type LoopEnding = 'answered' | 'finished' | 'out_of_turns' | 'over_budget';

export interface AgentLoopResult {
  /** The model's last text (the answer when it stopped calling tools). */
  text: string;
  ending: LoopEnding;
  turns: number;
  toolCalls: number;
  messages: ModelMessage[];
}

const DEFAULT_CONTEXT_CHARS = 240_000;
const LAST_TURN_NOTE =
  '\n\n[ticketsmith: this was your last tool call. Reply now with your final answer, without calling any more tools.]';

export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentLoopResult> {
  const messages = [...options.messages];
  const specs = options.tools.map(toToolSpec);
  let toolCalls = 0;
  let tokens = 0;
  let costUsd = 0;
  let response: ModelResponse | undefined;
  for (let turn = 1; turn <= options.maxTurns + 1; turn += 1) {
    compactToolResults(messages, options.contextChars ?? DEFAULT_CONTEXT_CHARS);
    response = await meteredComplete(options.meter, options.client, options.step, {
      system: options.system,
      messages,
      tools: specs,
      maxOutputTokens: options.maxOutputTokens,
      signal: options.signal,
    });
    messages.push({ role: 'assistant', content: response.text, ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}) });
    if (response.toolCalls.length === 0) return { text: response.text, ending: 'answered', turns: turn, toolCalls, messages };
    tokens += response.usage.inputTokens + response.usage.outputTokens;
    costUsd += costOf(response.model || options.client.model, response.usage, options.meter.prices).usd;
    const { maxTokens, maxCostUsd } = options.budget ?? {};
    if ((maxTokens !== undefined && tokens >= maxTokens) || (maxCostUsd !== undefined && costUsd >= maxCostUsd)) {
      answerUnrunCalls(messages, response.toolCalls, 'Not run: the budget is spent.');
      return { text: response.text, ending: 'over_budget', turns: turn, toolCalls, messages };
    }
    // The extra turn exists only to collect an answer; tools called in it are not run.
    if (turn > options.maxTurns) break;

    let finished = false;
    for (const call of response.toolCalls) {
      const result = await executeToolCall(options.tools, call, { ...options.toolContext, signal: options.signal });
      toolCalls += 1;
      const last = turn === options.maxTurns;
      messages.push({ role: 'tool', toolCallId: call.id, content: last ? result.content + LAST_TURN_NOTE : result.content, isError: result.isError });
      await options.onToolCall?.(call, result, turn);
      if (call.name === options.finishTool && !result.isError) finished = true;
    }
    if (finished) return { text: response.text, ending: 'finished', turns: turn, toolCalls, messages };
  }
  answerUnrunCalls(messages, response?.toolCalls ?? [], 'Not run: the turn budget is spent.');
  return { text: response?.text ?? '', ending: 'out_of_turns', turns: options.maxTurns, toolCalls, messages };
}

// Tool results must answer every call, or a later request on this conversation would be rejected.
function answerUnrunCalls(messages: ModelMessage[], calls: readonly ToolCall[], reason: string): void {
  for (const call of calls) messages.push({ role: 'tool', toolCallId: call.id, content: reason, isError: true });
}

const ELIDED = '[output elided to keep the conversation short; call the tool again if you need it]';

/**
 * Replaces the oldest tool outputs with a marker until the conversation fits. The newest outputs
 * stay: they are what the model is reasoning about now.
 */
export function compactToolResults(messages: ModelMessage[], maxChars: number): void {
  let total = messages.reduce((sum, m) => sum + m.content.length, 0);
  for (let i = 0; i < messages.length - 1 && total > maxChars; i += 1) {
    const message = messages[i];
    if (message?.role !== 'tool' || message.content === ELIDED) continue;
    total -= message.content.length - ELIDED.length;
    messages[i] = { ...message, content: ELIDED };
  }
}
