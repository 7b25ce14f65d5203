// A repository's own settings, from `.github/ticketsmith.yml`. Pure: the text comes in, a config
// and a list of problems come out. A bad field never stops a run: it is dropped, the default takes
// its place, and the problem is reported so a maintainer can fix it.
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { validateBranchTemplate } from '../workspace/branch-name.ts';

export const CONFIG_PATH = '.github/ticketsmith.yml';
export const MAX_CONFIG_BYTES = 64 * 1024;
// Enough for honest reuse of anchors; a "billion laughs" document needs far more to hurt.
const MAX_ALIAS_COUNT = 100;
const MAX_ALLOWED_COMMANDS = 100;

export interface RepoBudgets {
  maxCostUsd?: number;
  maxTokens?: number;
  maxTurns?: number;
  maxMinutes?: number;
}

export interface RepoConfig {
  /** "<model>" or "<provider>:<model>", provider openai or anthropic. */
  model?: string;
  testCommand?: string;
  setupCommand?: string;
  /** Program names the sandbox may run, on top of its own defaults. */
  allowedCommands: string[];
  /** Already validated with validateBranchTemplate. */
  branchTemplate?: string;
  maxFixIterations: number;
  budgets: RepoBudgets;
}

export interface RepoConfigResult {
  config: RepoConfig;
  /** One sentence each, starting with the field path when there is one: "budgets.max_turns: …". */
  problems: string[];
}

export const DEFAULT_REPO_CONFIG: RepoConfig = Object.freeze({
  allowedCommands: Object.freeze([]) as readonly string[] as string[],
  maxFixIterations: 3,
  budgets: Object.freeze({}),
});

function defaultConfig(): RepoConfig {
  return { allowedCommands: [], maxFixIterations: DEFAULT_REPO_CONFIG.maxFixIterations, budgets: {} };
}

const MODEL_PATTERN = /^((openai|anthropic):)?[\w.\-/:]+$/;
const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
// Keys that can be shown as a field path as they are; anything else is quoted inside the message.
const PLAIN_KEY = /^[A-Za-z0-9_-]{1,64}$/;

const textField = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty (leave the field out to use the default)')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !/[\x00-\x08\x0b-\x1f\x7f]/.test(value), 'must not contain control characters');

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const modelSchema = textField(200).regex(MODEL_PATTERN, 'must be "<model>" or "<provider>:<model>" with the provider openai or anthropic, e.g. "anthropic:claude-sonnet-4-6"');
const branchTemplateSchema = z.string({ error: 'must be text' }).superRefine((template, ctx) => {
  const problem = validateBranchTemplate(template);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const PROGRAM_NAME_RULE = 'must be a bare program name such as "npm" or "pytest", without a path or arguments';
const programNameSchema = z.string({ error: PROGRAM_NAME_RULE }).regex(PROGRAM_NAME, PROGRAM_NAME_RULE);

type FieldReader = (value: unknown, path: string, config: RepoConfig, problems: string[]) => void;

/** A reader for one scalar field: a null value means "not set"; an invalid one is reported and skipped. */
function field<T>(schema: z.ZodType<T>, apply: (config: RepoConfig, value: T) => void): FieldReader {
  return (value, path, config, problems) => {
    if (value === null || value === undefined) return;
    const parsed = schema.safeParse(value);
    if (parsed.success) apply(config, parsed.data);
    else problems.push(`${path}: ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${describeValue(value)})`);
  };
}

const readAllowedCommands: FieldReader = (value, path, config, problems) => {
  if (value === null || value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list of program names, e.g. [npm, pytest] (got ${describeValue(value)})`);
    return;
  }
  if (value.length > MAX_ALLOWED_COMMANDS) {
    problems.push(`${path}: must list at most ${MAX_ALLOWED_COMMANDS} programs (got ${value.length})`);
    return;
  }
  // Dropping one bad entry only narrows what the sandbox allows, so the rest can stand.
  value.forEach((entry: unknown, index) => {
    const parsed = programNameSchema.safeParse(entry);
    if (!parsed.success) problems.push(`${path}[${index}]: ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${describeValue(entry)})`);
    else if (!config.allowedCommands.includes(parsed.data)) config.allowedCommands.push(parsed.data);
  });
};

const SANDBOX_FIELDS: Record<string, FieldReader> = { allowed_commands: readAllowedCommands };

const BUDGET_FIELDS: Record<string, FieldReader> = {
  max_cost_usd: field(z.number({ error: 'must be a number' }).positive('must be more than 0'), (c, v) => (c.budgets.maxCostUsd = v)),
  max_tokens: field(wholeNumber(1, Number.MAX_SAFE_INTEGER), (c, v) => (c.budgets.maxTokens = v)),
  max_turns: field(wholeNumber(1, 200), (c, v) => (c.budgets.maxTurns = v)),
  max_minutes: field(wholeNumber(1, 600), (c, v) => (c.budgets.maxMinutes = v)),
};

const TOP_LEVEL_FIELDS: Record<string, FieldReader> = {
  model: field(modelSchema, (c, v) => (c.model = v)),
  test_command: field(textField(2000), (c, v) => (c.testCommand = v)),
  setup_command: field(textField(2000), (c, v) => (c.setupCommand = v)),
  sandbox: (value, path, config, problems) => readMapping(value, path, SANDBOX_FIELDS, config, problems),
  branch_template: field(branchTemplateSchema, (c, v) => (c.branchTemplate = v)),
  max_fix_iterations: field(wholeNumber(0, 20), (c, v) => (c.maxFixIterations = v)),
  budgets: (value, path, config, problems) => readMapping(value, path, BUDGET_FIELDS, config, problems),
};

export function parseRepoConfig(text: string | undefined): RepoConfigResult {
  const config = defaultConfig();
  if (text === undefined || text.trim() === '') return { config, problems: [] };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) return { config, problems: [configTooLargeProblem(bytes)] };
  const root = readYaml(text);
  if ('problem' in root) return { config, problems: [root.problem] };
  // A file of nothing but comments is as good as no file.
  if (root.value === null || root.value === undefined) return { config, problems: [] };
  if (!(root.value instanceof Map)) {
    return { config, problems: [`the file must be a mapping of settings such as "model: gpt-4.1" (got ${describeValue(root.value)})`] };
  }
  const problems: string[] = [];
  readMapping(root.value, undefined, TOP_LEVEL_FIELDS, config, problems);
  return { config, problems };
}

/** The problem for a file over MAX_CONFIG_BYTES, also used by callers that check the size before reading. */
export function configTooLargeProblem(bytes: number): string {
  return `the file is too large (${bytes} bytes; at most ${MAX_CONFIG_BYTES} are read)`;
}

function readYaml(source: string): { value: unknown } | { problem: string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { problem: `the file is not valid YAML: ${error.message.split('\n')[0]} (line ${line}, column ${col})` };
  }
  try {
    // Maps stay Maps: keys like "__proto__" or a list used as a key cannot touch a plain object.
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, mapAsMap: true }) };
  } catch (cause) {
    if (cause instanceof ReferenceError) {
      return { problem: `the file's YAML aliases expand too far (more than ${MAX_ALIAS_COUNT}); write the values out instead` };
    }
    return { problem: `the file could not be read as YAML: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
}

function readMapping(value: unknown, path: string | undefined, fields: Record<string, FieldReader>, config: RepoConfig, problems: string[]): void {
  if (value === null || value === undefined) return;
  const known = Object.keys(fields);
  if (!(value instanceof Map)) {
    problems.push(`${path}: must be a mapping with the fields ${known.join(', ')} (got ${describeValue(value)})`);
    return;
  }
  for (const [rawKey, fieldValue] of value) {
    const key = typeof rawKey === 'object' && rawKey !== null ? undefined : String(rawKey);
    // Object.hasOwn, not `in`: a key named "constructor" must not find Object.prototype's.
    if (key !== undefined && Object.hasOwn(fields, key)) {
      fields[key]!(fieldValue, path ? `${path}.${key}` : key, config, problems);
      continue;
    }
    problems.push(unknownFieldProblem(key, path, known));
  }
}

function unknownFieldProblem(key: string | undefined, path: string | undefined, known: string[]): string {
  const squash = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  const suggestion = key === undefined ? undefined : known.find((name) => squash(name) === squash(key));
  const hint = suggestion ? `did you mean ${suggestion}? ` : '';
  const list = `${hint}known fields${path ? ` in ${path}` : ''} are ${known.join(', ')}`;
  if (key !== undefined && PLAIN_KEY.test(key)) return `${path ? `${path}.` : ''}${key}: unknown field; ${list}`;
  const shown = key === undefined ? 'a list or mapping used as a key' : `unknown field ${describeValue(key)}`;
  return `${path ? `${path}: ` : ''}${shown}; ${list}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `a ${value.length}-character text` : JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a mapping';
  if (value === null || value === undefined) return 'nothing';
  return String(value);
}

// "budgets.max_turns" or "sandbox.allowed_commands[2]": the only shapes treated as a field path.
const FIELD_PREFIX = /^([A-Za-z0-9_-]+(?:\[\d+\])?(?:\.[A-Za-z0-9_-]+(?:\[\d+\])?)*): ([\s\S]*)$/;
const MAX_LISTED_PROBLEMS = 20;
const MAX_PROBLEM_CHARS = 300;

/** A GitHub comment telling maintainers what is wrong with their config, safe to post as-is. */
export function renderConfigProblems(path: string, problems: string[], sha: string): string {
  const shortSha = sha.slice(0, 7);
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => {
    const match = FIELD_PREFIX.exec(problem);
    const line = match?.[1] !== undefined && match[2] !== undefined ? `${codeSpan(match[1])}: ${escapeMarkdown(match[2])}` : escapeMarkdown(problem);
    return `- ${line}`;
  });
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`- …and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  const heading = `⚠️ The ticketsmith configuration in ${codeSpan(path)} (at ${codeSpan(shortSha)}) is invalid:`;
  const footer = 'Until it is fixed, ticketsmith uses the defaults for the settings these problems affect; the valid settings still apply.';
  return `${heading}\n\n${listed.join('\n')}\n\n${footer}`;
}

// Config text is written by whoever can push to the default branch, and a problem quotes it: it
// must not be able to break the list, inject HTML, or ping people and issues.
function escapeMarkdown(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > MAX_PROBLEM_CHARS ? `${flat.slice(0, MAX_PROBLEM_CHARS)}…` : flat;
  return cut.replace(/[\\`*_[\]<>|~&$]/g, '\\$&').replace(/[@#]/g, '$&\u200d');
}

// Code spans show text literally (no mentions, links or HTML); the fence outgrows any backtick run.
function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
