// A tool is declared once (name, description, zod input, run) and everything the model sees —
// the JSON Schema it is offered and the errors it gets back — is derived from that declaration,
// so the schema and the validation can never drift apart.
import { z } from 'zod';
import type { ToolCall, ToolSpec } from '../providers/model-client.ts';

export const DEFAULT_MAX_OUTPUT_CHARS = 8_000;

export interface ToolContext {
  /** The workspace directory; every path a tool touches must stay inside it. */
  root: string;
  maxOutputChars?: number;
  signal?: AbortSignal;
}

type ObjectSchema = z.ZodType<Record<string, unknown>>;

export interface Tool<S extends ObjectSchema = ObjectSchema> {
  name: string;
  description: string;
  input: S;
  // Method syntax on purpose: it keeps Tool<Specific> assignable to Tool in a mixed array.
  run(input: z.output<S>, ctx: ToolContext): Promise<string> | string;
}

export interface ToolResult {
  content: string;
  isError: boolean;
}

/** Thrown by tools for failures the model caused and can fix; the message is shown verbatim. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

export function defineTool<S extends ObjectSchema>(tool: Tool<S>): Tool<S> {
  return tool;
}

export function toToolSpec(tool: Tool): ToolSpec {
  // io 'input' so fields with defaults are optional for the model, as they are for the parser.
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>;
  return { name: tool.name, description: tool.description, inputSchema: schema };
}

export function outputBudget(ctx: ToolContext): number {
  return ctx.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
}

/** Keeps the head and tail of an over-long text; the result is never longer than maxChars. */
export function capOutput(text: string, maxChars: number = DEFAULT_MAX_OUTPUT_CHARS): string {
  if (text.length <= maxChars) return text;
  // The marker's length depends on the count it reports, so iterate until it settles.
  let marker = '';
  for (let previous = -1; previous !== marker.length; ) {
    previous = marker.length;
    const omitted = text.length - Math.max(0, maxChars - marker.length);
    marker = `\n[… ${omitted.toLocaleString('en-US')} characters omitted …]\n`;
  }
  if (marker.length >= maxChars) return text.slice(0, maxChars);
  const keep = maxChars - marker.length;
  const head = Math.ceil(keep * 0.6);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

export async function executeToolCall(tools: readonly Tool[], call: ToolCall, ctx: ToolContext): Promise<ToolResult> {
  const budget = outputBudget(ctx);
  const fail = (message: string): ToolResult => ({ content: capOutput(message, budget), isError: true });
  try {
    const tool = tools.find((t) => t.name === call.name);
    if (!tool) {
      const names = tools.map((t) => t.name).join(', ') || '(none)';
      return fail(`Error: unknown tool "${call.name}". Available tools: ${names}.`);
    }
    const raw = normalizeArguments(call.input);
    if (typeof raw === 'string') {
      return fail(`Error: the arguments for ${tool.name} were not valid JSON (${raw}). Send a JSON object: ${signature(tool)}`);
    }
    const parsed = tool.input.safeParse(raw);
    if (!parsed.success) {
      const lines = parsed.error.issues.map(describeIssue);
      return fail(`Error: invalid arguments for ${tool.name}:\n${lines.join('\n')}\nExpected: ${signature(tool)}`);
    }
    if (ctx.signal?.aborted) return fail('Error: cancelled before the tool ran.');
    const content = await tool.run(parsed.data, ctx);
    return { content: capOutput(content, budget), isError: false };
  } catch (error) {
    return fail(`Error: ${oneLine(error)}`);
  }
}

/** Returns the argument object to validate, or a string describing why the raw JSON is unusable. */
function normalizeArguments(input: unknown): unknown {
  let value = input;
  if (typeof value === 'string') {
    // Some providers hand over the raw argument text; it may still be perfectly good JSON.
    const text = value.trim();
    if (text === '') return {};
    try {
      value = JSON.parse(text);
    } catch (error) {
      const snippet = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      return `${oneLine(error)}; received: ${snippet}`;
    }
  }
  if (value === undefined || value === null) return {};
  return typeof value === 'object' && !Array.isArray(value) ? dropNullFields(value) : value;
}

// Models often spell "not provided" as null, at any depth; treating it as absent lets defaults apply.
function dropNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNullFields(v)]),
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)';
  if (issue.code === 'unrecognized_keys') {
    return `- ${issue.keys.map((k) => `"${k}"`).join(', ')}: not a parameter of this tool`;
  }
  const received = issue.code === 'invalid_type' && issue.path.length === 0 ? ' (expected a JSON object of named arguments)' : '';
  return `- ${where}: ${issue.message.replace(/^Invalid input: /, '')}${received}`;
}

/** A compact one-line parameter list, e.g. `{ path: string, depth?: integer 1..10 = 3 }`. */
export function signature(tool: Tool): string {
  const schema = toToolSpec(tool).inputSchema;
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  const parts = Object.entries(properties).map(([name, prop]) => {
    let text = `${name}${required.has(name) ? '' : '?'}: ${String(prop.type ?? 'any')}`;
    // zod's int() adds ±MAX_SAFE_INTEGER bounds, which are noise to a model.
    const min = prop.minimum === Number.MIN_SAFE_INTEGER ? undefined : prop.minimum;
    const max = prop.maximum === Number.MAX_SAFE_INTEGER ? undefined : prop.maximum;
    if (min !== undefined && max !== undefined) text += ` ${String(min)}..${String(max)}`;
    else if (min !== undefined) text += ` >= ${String(min)}`;
    else if (max !== undefined) text += ` <= ${String(max)}`;
    if (prop.default !== undefined) text += ` = ${JSON.stringify(prop.default)}`;
    return text;
  });
  return `{ ${parts.join(', ')} }`;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'unknown error';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
