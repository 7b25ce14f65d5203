// The only module that reads process.env. Everything else receives a typed Config, so a bad
// value stops start-up here, with every bad variable named, instead of failing mid-run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parsePriceTable, DEFAULT_PRICES, type ModelPrice } from './agent/pricing.ts';
import type { ProviderName } from './agent/providers/model-client.ts';
import { parseAliases, type CommandName } from './intake/parse-command.ts';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const booleanText = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const modelOverride = optionalText.pipe(
  z
    .string()
    .regex(/^((openai|anthropic):)?[\w.\-/:]+$/, 'use "<model>" or "<provider>:<model>", e.g. "anthropic:claude-sonnet-4-6"')
    .optional(),
);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(3000, 0, 65535),
  HOST: z.string().min(1).default('localhost'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  // GitHub App identity, as Probot reads it. All optional: without APP_ID the server runs the
  // manifest setup flow instead of the app.
  APP_ID: optionalText.pipe(z.string().regex(/^\d+$/, 'must be the numeric GitHub App id').optional()),
  PRIVATE_KEY: optionalText,
  PRIVATE_KEY_PATH: optionalText,
  WEBHOOK_SECRET: optionalText,
  WEBHOOK_PATH: z.string().startsWith('/').default('/api/github/webhooks'),
  GHE_HOST: optionalText.pipe(z.string().regex(/^[\w.\-]+(:\d+)?$/, 'must be a host[:port] without scheme or path').optional()),
  GHE_PROTOCOL: z.enum(['https', 'http']).default('https'),
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  GITHUB_RETRY_AND_THROTTLE: booleanText(true),

  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional()),
  DATA_DIR: z.string().min(1).default('./data'),
  TICKETS_ROOT: optionalText,
  WORKSPACE_MAX_GB: z.coerce.number().positive().max(100_000).default(20),
  REPO_MAX_MB: integer(2048, 1, 1_000_000),
  GIT_TIMEOUT_SECONDS: integer(600, 5, 24 * 3600),
  SANDBOX: z.enum(['bwrap', 'none']).default('bwrap'),

  WORKER_CONCURRENCY: integer(2, 1, 64),
  JOB_RETRY_LIMIT: integer(3, 0, 20),
  JOB_RETRY_DELAY_SECONDS: integer(5, 1, 3600),
  JOB_EXPIRE_MINUTES: integer(30, 1, 24 * 60),
  QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(0.5),

  ALLOWED_ASSOCIATIONS: z.string().default('OWNER,MEMBER,COLLABORATOR'),
  COMMAND_ALIASES: z.string().default(''),
  COMMENT_EDIT_INTERVAL_MS: integer(3000, 0, 60_000),

  MODEL_PROVIDER: z.enum(['openai', 'anthropic']).optional(),
  MODEL: optionalText,
  MODEL_CHAT: modelOverride,
  MODEL_MAKE_PLAN: modelOverride,
  MODEL_DEV: modelOverride,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MODEL_TIMEOUT_MS: integer(120_000, 1000, 3_600_000),
  MODEL_MAX_RETRIES: integer(3, 0, 10),
  MODEL_MAX_OUTPUT_TOKENS: integer(4096, 256, 200_000),
  MODEL_PRICES: optionalText,
  AGENT_MAX_TURNS: integer(25, 1, 200),
});

export type Role = 'web' | 'worker' | 'all';

export interface ModelChoice {
  provider: ProviderName;
  model: string;
}

export interface GitHubAppCredentials {
  appId: string;
  privateKey: string;
  webhookSecret: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  role: Role;
  http: { port: number; host: string };
  log: { level: z.infer<typeof EnvSchema>['LOG_LEVEL']; format: 'json' | 'pretty' };
  github: {
    /** Undefined means "not registered yet": the server offers Probot's manifest setup flow. */
    app: GitHubAppCredentials | undefined;
    webhookPath: string;
    /** REST base URL, derived from GHE_HOST/GHE_PROTOCOL exactly as Probot derives it. */
    apiBaseUrl: string;
    retryAndThrottle: boolean;
    oauth: { clientId: string; clientSecret: string } | undefined;
  };
  database: { url: string | undefined; dataDir: string };
  workspace: {
    /** Absolute. */
    root: string;
    maxBytes: number;
    repoMaxBytes: number;
    gitTimeoutMs: number;
  };
  agent: { maxTurns: number };
  sandbox: { backend: 'bwrap' | 'none' };
  queue: { concurrency: number; retryLimit: number; retryDelaySeconds: number; expireInSeconds: number; pollSeconds: number };
  intake: { allowedAssociations: string[]; aliases: Record<string, CommandName> };
  comments: { editIntervalMs: number };
  model: {
    /** Undefined when MODEL_PROVIDER/MODEL are unset: runs then explain what to set. */
    default: ModelChoice | undefined;
    perCommand: Partial<Record<'chat' | 'make_plan' | 'dev', ModelChoice>>;
    apiKeys: Partial<Record<ProviderName, string>>;
    baseUrls: Partial<Record<ProviderName, string>>;
    timeoutMs: number;
    maxRetries: number;
    maxOutputTokens: number;
    prices: Record<string, ModelPrice>;
  };
  /** Every secret value in play, so logs, comments and events can redact them. */
  secrets: string[];
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function parseRole(argv: readonly string[]): Role {
  const index = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (index === -1) return 'all';
  const arg = argv[index] ?? '';
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  if (value === 'web' || value === 'worker' || value === 'all') return value;
  throw new ConfigError([`--role: must be one of web, worker, all (got ${JSON.stringify(value ?? '')})`]);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: Role = 'all'): Config {
  const problems: string[] = [];
  let parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
    // Parse again without the bad variables, so the checks below still report everything else.
    const bad = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([key]) => !bad.has(key))));
    if (!parsed.success) throw new ConfigError(problems);
  }
  const e = parsed.data;
  const attempt = <T>(name: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  };

  const app = readAppCredentials(e, problems);
  const aliases = attempt('COMMAND_ALIASES', () => (e.COMMAND_ALIASES.trim() ? parseAliases(e.COMMAND_ALIASES) : {}), {});
  const prices = attempt('MODEL_PRICES', () => ({ ...DEFAULT_PRICES, ...(e.MODEL_PRICES ? parsePriceTable(e.MODEL_PRICES) : {}) }), DEFAULT_PRICES);
  const allowedAssociations = e.ALLOWED_ASSOCIATIONS.split(',').map((a) => a.trim().toUpperCase()).filter(Boolean);
  if (allowedAssociations.length === 0) problems.push('ALLOWED_ASSOCIATIONS: list at least one association, e.g. OWNER,MEMBER,COLLABORATOR');

  const defaultModel = attempt('MODEL', () => resolveDefaultModel(e.MODEL_PROVIDER, e.MODEL), undefined);
  const perCommand: Config['model']['perCommand'] = {};
  for (const [command, value] of [['chat', e.MODEL_CHAT], ['make_plan', e.MODEL_MAKE_PLAN], ['dev', e.MODEL_DEV]] as const) {
    if (!value) continue;
    const choice = attempt(`MODEL_${command.toUpperCase()}`, () => parseModelChoice(value, e.MODEL_PROVIDER), undefined);
    if (choice) perCommand[command] = choice;
  }
  if (e.NODE_ENV === 'production' && role !== 'worker' && !app) {
    problems.push('APP_ID: required when NODE_ENV=production (run the setup flow in development first)');
  }
  if (e.NODE_ENV === 'production' && e.SANDBOX === 'none') {
    problems.push('SANDBOX: "none" runs repository code unconfined and is refused when NODE_ENV=production; install bubblewrap and use SANDBOX=bwrap');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const apiKeys: Config['model']['apiKeys'] = {};
  if (e.OPENAI_API_KEY) apiKeys.openai = e.OPENAI_API_KEY;
  if (e.ANTHROPIC_API_KEY) apiKeys.anthropic = e.ANTHROPIC_API_KEY;
  const baseUrls: Config['model']['baseUrls'] = {};
  if (e.OPENAI_BASE_URL) baseUrls.openai = e.OPENAI_BASE_URL;
  if (e.ANTHROPIC_BASE_URL) baseUrls.anthropic = e.ANTHROPIC_BASE_URL;

  return {
    env: e.NODE_ENV,
    role,
    http: { port: e.PORT, host: e.HOST },
    // Humans read development logs; machines read production ones.
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty') },
    github: {
      app,
      webhookPath: e.WEBHOOK_PATH,
      apiBaseUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3` : 'https://api.github.com',
      retryAndThrottle: e.GITHUB_RETRY_AND_THROTTLE,
      oauth: e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET ? { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET } : undefined,
    },
    database: { url: e.DATABASE_URL, dataDir: path.resolve(e.DATA_DIR) },
    workspace: {
      root: path.resolve(e.TICKETS_ROOT ?? path.join(e.DATA_DIR, 'tickets')),
      maxBytes: Math.round(e.WORKSPACE_MAX_GB * 1024 ** 3),
      repoMaxBytes: e.REPO_MAX_MB * 1024 ** 2,
      gitTimeoutMs: e.GIT_TIMEOUT_SECONDS * 1000,
    },
    agent: { maxTurns: e.AGENT_MAX_TURNS },
    sandbox: { backend: e.SANDBOX },
    queue: {
      concurrency: e.WORKER_CONCURRENCY,
      retryLimit: e.JOB_RETRY_LIMIT,
      retryDelaySeconds: e.JOB_RETRY_DELAY_SECONDS,
      expireInSeconds: e.JOB_EXPIRE_MINUTES * 60,
      pollSeconds: e.QUEUE_POLL_SECONDS,
    },
    intake: { allowedAssociations, aliases },
    comments: { editIntervalMs: e.COMMENT_EDIT_INTERVAL_MS },
    model: {
      default: defaultModel,
      perCommand,
      apiKeys,
      baseUrls,
      timeoutMs: e.MODEL_TIMEOUT_MS,
      maxRetries: e.MODEL_MAX_RETRIES,
      maxOutputTokens: e.MODEL_MAX_OUTPUT_TOKENS,
      prices,
    },
    secrets: collectSecrets(e, app),
  };
}

function readAppCredentials(e: z.infer<typeof EnvSchema>, problems: string[]): GitHubAppCredentials | undefined {
  if (!e.APP_ID) return undefined;
  let privateKey = e.PRIVATE_KEY;
  if (!privateKey && e.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(e.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      problems.push(`PRIVATE_KEY_PATH: cannot read ${e.PRIVATE_KEY_PATH} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  const before = problems.length;
  if (!privateKey) problems.push('PRIVATE_KEY: APP_ID is set, so PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set too');
  else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(normalizePrivateKey(privateKey))) {
    problems.push('PRIVATE_KEY: is not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----", raw or base64-encoded)');
  }
  if (!e.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET: APP_ID is set, so WEBHOOK_SECRET must be set too (it signs every webhook)');
  if (problems.length > before || !privateKey || !e.WEBHOOK_SECRET) return undefined;
  return { appId: e.APP_ID, privateKey: normalizePrivateKey(privateKey), webhookSecret: e.WEBHOOK_SECRET };
}

// .env files carry the key on one line, either with literal "\n" or base64-encoded, as Probot accepts.
function normalizePrivateKey(raw: string): string {
  const unquoted = raw.replace(/^"|"$/g, '').replace(/\\n/g, '\n');
  if (unquoted.includes('-----BEGIN')) return unquoted;
  const decoded = Buffer.from(unquoted, 'base64').toString('utf8');
  return decoded.includes('-----BEGIN') ? decoded : unquoted;
}

function resolveDefaultModel(provider: ProviderName | undefined, model: string | undefined): ModelChoice | undefined {
  if (!model && !provider) return undefined;
  if (!model) throw new Error(`MODEL_PROVIDER is ${provider}, so MODEL must name a model too`);
  return parseModelChoice(model, provider);
}

export function parseModelChoice(value: string, fallbackProvider: ProviderName | undefined): ModelChoice {
  const match = /^(openai|anthropic):(.+)$/.exec(value);
  if (match?.[1] && match[2]) return { provider: match[1] as ProviderName, model: match[2] };
  if (!fallbackProvider) throw new Error(`"${value}" does not say its provider: set MODEL_PROVIDER or write "openai:${value}"`);
  return { provider: fallbackProvider, model: value };
}

function collectSecrets(e: z.infer<typeof EnvSchema>, app: GitHubAppCredentials | undefined): string[] {
  const secrets = [app?.privateKey, e.WEBHOOK_SECRET, e.GITHUB_CLIENT_SECRET, e.OPENAI_API_KEY, e.ANTHROPIC_API_KEY];
  if (e.DATABASE_URL) {
    const password = new URL(e.DATABASE_URL).password;
    if (password) secrets.push(decodeURIComponent(password));
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
