import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig, parseModelChoice, parseRole } from '../../src/config.ts';

let pem: string;
beforeAll(() => {
  pem = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
});

/** The problems a bad environment produces; fails the test if loading succeeds. */
function problemsOf(env: Record<string, string>, role?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, role);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    // The message lists every problem, so an operator sees them all at once.
    for (const problem of problems) expect((error as ConfigError).message).toContain(problem);
    return problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const named = (problems: string[], variable: string) => problems.some((p) => p.startsWith(`${variable}:`));

const APP_ENV = () => ({ APP_ID: '12345', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'webhook-secret-value' });

describe('loadConfig defaults', () => {
  test('an empty environment is setup mode on PGlite with no model', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.role).toBe('all');
    expect(config.github.app).toBeUndefined();
    expect(config.github.apiBaseUrl).toBe('https://api.github.com');
    expect(config.github.webhookPath).toBe('/api/github/webhooks');
    expect(config.github.oauth).toBeUndefined();
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe(path.resolve('./data'));
    expect(config.model.default).toBeUndefined();
    expect(config.model.perCommand).toEqual({});
    expect(config.model.apiKeys).toEqual({});
    expect(config.http).toEqual({ port: 3000, host: 'localhost' });
    expect(config.log).toEqual({ level: 'info', format: 'pretty' });
    expect(config.queue).toEqual({ concurrency: 2, retryLimit: 3, retryDelaySeconds: 5, expireInSeconds: 1800, pollSeconds: 0.5 });
    expect(config.intake).toEqual({ allowedAssociations: ['OWNER', 'MEMBER', 'COLLABORATOR'], aliases: {} });
    expect(config.secrets).toEqual([]);
  });

  test('workspaces default under DATA_DIR, and TICKETS_ROOT moves them', () => {
    expect(loadConfig({ DATA_DIR: '/srv/ts' }).workspace).toEqual({ root: '/srv/ts/tickets', maxBytes: 20 * 1024 ** 3, repoMaxBytes: 2048 * 1024 ** 2, gitTimeoutMs: 600_000 });
    expect(loadConfig({ TICKETS_ROOT: '/mnt/fast/tickets', WORKSPACE_MAX_GB: '0.5', REPO_MAX_MB: '10' }).workspace).toMatchObject({
      root: '/mnt/fast/tickets',
      maxBytes: 512 * 1024 ** 2,
      repoMaxBytes: 10 * 1024 ** 2,
    });
  });

  test('the role is carried through', () => {
    expect(loadConfig({}, 'worker').role).toBe('worker');
  });
});

describe('loadConfig names every bad variable', () => {
  test.each<[string, Record<string, string>, string[]]>([
    ['PORT=abc', { PORT: 'abc' }, ['PORT']],
    ['a port out of range', { PORT: '70000' }, ['PORT']],
    ['DATABASE_URL=mysql://x', { DATABASE_URL: 'mysql://x' }, ['DATABASE_URL']],
    ['MODEL_PROVIDER=foo', { MODEL_PROVIDER: 'foo' }, ['MODEL_PROVIDER']],
    ['a non-numeric APP_ID', { APP_ID: 'my-app', PRIVATE_KEY: 'x', WEBHOOK_SECRET: 'y' }, ['APP_ID']],
    ['APP_ID without PRIVATE_KEY and WEBHOOK_SECRET', { APP_ID: '123' }, ['PRIVATE_KEY', 'WEBHOOK_SECRET']],
    ['a non-PEM PRIVATE_KEY', { APP_ID: '123', PRIVATE_KEY: 'definitely not a key', WEBHOOK_SECRET: 'webhook-secret-value' }, ['PRIVATE_KEY']],
    ['an unreadable PRIVATE_KEY_PATH', { APP_ID: '123', PRIVATE_KEY_PATH: '/nonexistent/key.pem', WEBHOOK_SECRET: 'webhook-secret-value' }, ['PRIVATE_KEY_PATH']],
    ['a bad COMMAND_ALIASES', { COMMAND_ALIASES: '/dev=deploy' }, ['COMMAND_ALIASES']],
    ['a COMMAND_ALIASES entry without "="', { COMMAND_ALIASES: 'nonsense' }, ['COMMAND_ALIASES']],
    ['MODEL_PRICES that is not JSON', { MODEL_PRICES: 'cheap' }, ['MODEL_PRICES']],
    ['MODEL_PRICES with a negative rate', { MODEL_PRICES: '{"m":{"inputPerMTok":-1,"outputPerMTok":1,"cachedInputPerMTok":1}}' }, ['MODEL_PRICES']],
    ['MODEL_CHAT without a provider and without MODEL_PROVIDER', { MODEL_CHAT: 'gpt-4o' }, ['MODEL_CHAT']],
    ['MODEL_PROVIDER without MODEL', { MODEL_PROVIDER: 'openai' }, ['MODEL']],
    ['a GHE_HOST with a scheme', { GHE_HOST: 'https://ghe.example.com' }, ['GHE_HOST']],
    ['an empty ALLOWED_ASSOCIATIONS', { ALLOWED_ASSOCIATIONS: ' , ' }, ['ALLOWED_ASSOCIATIONS']],
    ['a negative WORKSPACE_MAX_GB', { WORKSPACE_MAX_GB: '-1' }, ['WORKSPACE_MAX_GB']],
    ['a REPO_MAX_MB that is not a number', { REPO_MAX_MB: 'lots' }, ['REPO_MAX_MB']],
    ['AGENT_MAX_TURNS of 0', { AGENT_MAX_TURNS: '0' }, ['AGENT_MAX_TURNS']],
    ['an unknown SANDBOX', { SANDBOX: 'docker' }, ['SANDBOX']],
    ['SANDBOX=none in production', { NODE_ENV: 'production', SANDBOX: 'none' }, ['SANDBOX', 'APP_ID']],
  ])('%s', (_name, env, variables) => {
    const problems = problemsOf(env);
    for (const variable of variables) expect(named(problems, variable)).toBe(true);
    expect(problems).toHaveLength(variables.length);
  });

  test('several bad variables of the same kind are all listed', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', MODEL_PROVIDER: 'foo', LOG_LEVEL: 'loud' });
    for (const variable of ['PORT', 'DATABASE_URL', 'MODEL_PROVIDER', 'LOG_LEVEL']) expect(named(problems, variable)).toBe(true);
  });

  test('several bad cross-checked variables are all listed', () => {
    const problems = problemsOf({ APP_ID: '1', COMMAND_ALIASES: 'x', MODEL_PRICES: 'nope', MODEL_CHAT: 'gpt-4o' });
    for (const variable of ['PRIVATE_KEY', 'WEBHOOK_SECRET', 'COMMAND_ALIASES', 'MODEL_PRICES', 'MODEL_CHAT']) expect(named(problems, variable)).toBe(true);
  });

  test('a malformed variable does not hide the other bad variables', () => {
    // PORT fails the schema; the others fail the checks made after it. All of them are wrong.
    const problems = problemsOf({ PORT: 'abc', APP_ID: '123', COMMAND_ALIASES: 'nonsense', MODEL_PRICES: 'cheap', MODEL_CHAT: 'gpt-4o' });
    for (const variable of ['PORT', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'COMMAND_ALIASES', 'MODEL_PRICES', 'MODEL_CHAT']) expect(named(problems, variable)).toBe(true);
  });

  test('NODE_ENV=production without APP_ID fails, except for a worker', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(named(problems, 'APP_ID')).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production' }, 'worker')).not.toThrow();
    expect(loadConfig({ NODE_ENV: 'production', ...APP_ENV() }).log.format).toBe('json');
  });
});

describe('loadConfig GitHub App credentials', () => {
  test('a PEM key as is', () => {
    const app = loadConfig(APP_ENV()).github.app;
    // Surrounding whitespace (the trailing newline of a PEM file) is trimmed; the key itself is intact.
    expect(app).toEqual({ appId: '12345', privateKey: pem.trim(), webhookSecret: 'webhook-secret-value' });
    expect(createPrivateKey(app!.privateKey).asymmetricKeyType).toBe('rsa');
  });

  test('a PEM key on one line with literal \\n escapes (as in .env files) works', () => {
    const oneLine = pem.replace(/\n/g, '\\n');
    expect(oneLine).not.toContain('\n');
    const app = loadConfig({ ...APP_ENV(), PRIVATE_KEY: oneLine }).github.app;
    expect(app?.privateKey).toBe(pem);
    expect(createPrivateKey(app!.privateKey).asymmetricKeyType).toBe('rsa');
  });

  test('a quoted one-line key works', () => {
    const app = loadConfig({ ...APP_ENV(), PRIVATE_KEY: `"${pem.replace(/\n/g, '\\n')}"` }).github.app;
    expect(app?.privateKey).toBe(pem);
  });

  test('a base64-encoded PEM key works', () => {
    const encoded = Buffer.from(pem, 'utf8').toString('base64');
    const app = loadConfig({ ...APP_ENV(), PRIVATE_KEY: encoded }).github.app;
    expect(app?.privateKey).toBe(pem);
    expect(createPrivateKey(app!.privateKey).asymmetricKeyType).toBe('rsa');
  });

  test('GHE_HOST and GHE_PROTOCOL give the Enterprise REST base URL', () => {
    expect(loadConfig({ GHE_HOST: 'ghe.example.com:8080', GHE_PROTOCOL: 'http' }).github.apiBaseUrl).toBe('http://ghe.example.com:8080/api/v3');
    expect(loadConfig({ GHE_HOST: 'ghe.example.com' }).github.apiBaseUrl).toBe('https://ghe.example.com/api/v3');
    expect(named(problemsOf({ GHE_HOST: 'ghe.example.com', GHE_PROTOCOL: 'ftp' }), 'GHE_PROTOCOL')).toBe(true);
  });
});

describe('loadConfig secrets and models', () => {
  test('secrets collects every key and the DATABASE_URL password (decoded)', () => {
    const config = loadConfig({
      ...APP_ENV(),
      GITHUB_CLIENT_ID: 'Iv1.client',
      GITHUB_CLIENT_SECRET: 'client-secret-value',
      OPENAI_API_KEY: 'sk-openai-test-key-123',
      ANTHROPIC_API_KEY: 'sk-ant-test-key-456',
      DATABASE_URL: 'postgres://ticketsmith:p%40ss%2Fword-123@db.internal:5432/ticketsmith',
    });
    expect(config.secrets).toEqual(expect.arrayContaining([pem.trim(), 'webhook-secret-value', 'client-secret-value', 'sk-openai-test-key-123', 'sk-ant-test-key-456', 'p@ss/word-123']));
    expect(config.secrets).toHaveLength(6);
    expect(config.database.url).toBe('postgres://ticketsmith:p%40ss%2Fword-123@db.internal:5432/ticketsmith');
    expect(config.github.oauth).toEqual({ clientId: 'Iv1.client', clientSecret: 'client-secret-value' });
    expect(config.model.apiKeys).toEqual({ openai: 'sk-openai-test-key-123', anthropic: 'sk-ant-test-key-456' });
  });

  test('a DATABASE_URL without a password adds no secret', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' }).secrets).toEqual([]);
  });

  test('MODEL_PROVIDER and MODEL set the default; per-command overrides may name their own provider', () => {
    const config = loadConfig({ MODEL_PROVIDER: 'openai', MODEL: 'gpt-4o-mini', MODEL_CHAT: 'anthropic:claude-haiku-4-5', MODEL_DEV: 'gpt-4.1' });
    expect(config.model.default).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(config.model.perCommand).toEqual({ chat: { provider: 'anthropic', model: 'claude-haiku-4-5' }, dev: { provider: 'openai', model: 'gpt-4.1' } });
  });

  test('MODEL with its provider prefix needs no MODEL_PROVIDER', () => {
    expect(loadConfig({ MODEL: 'anthropic:claude-sonnet-4-5' }).model.default).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  test('MODEL_PRICES extends the default price table', () => {
    const prices = loadConfig({ MODEL_PRICES: '{"my-model":{"inputPerMTok":1,"outputPerMTok":2,"cachedInputPerMTok":0.5}}' }).model.prices;
    expect(prices['my-model']).toEqual({ inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5 });
    expect(prices['gpt-4o']).toBeDefined();
  });
});

describe('parseModelChoice', () => {
  test('a provider prefix wins over the fallback', () => {
    expect(parseModelChoice('anthropic:claude-haiku-4-5', 'openai')).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
  });
  test('a bare model uses the fallback provider', () => {
    expect(parseModelChoice('gpt-4o', 'openai')).toEqual({ provider: 'openai', model: 'gpt-4o' });
  });
  test('a bare model without a fallback is an error that says how to fix it', () => {
    expect(() => parseModelChoice('gpt-4o', undefined)).toThrow(/MODEL_PROVIDER|openai:gpt-4o/);
  });
});

describe('parseRole', () => {
  test('--role worker', () => {
    expect(parseRole(['node', 'main.ts', '--role', 'worker'])).toBe('worker');
  });
  test('--role=web', () => {
    expect(parseRole(['node', 'main.ts', '--role=web'])).toBe('web');
  });
  test('no --role means all', () => {
    expect(parseRole(['node', 'main.ts'])).toBe('all');
  });
  test('an invalid role is a ConfigError naming the value', () => {
    expect(() => parseRole(['node', 'main.ts', '--role', 'boss'])).toThrow(ConfigError);
    expect(() => parseRole(['node', 'main.ts', '--role=boss'])).toThrow(/"boss"/);
  });
  test('--role without a value is a ConfigError', () => {
    expect(() => parseRole(['node', 'main.ts', '--role'])).toThrow(ConfigError);
    expect(() => parseRole(['node', 'main.ts', '--role='])).toThrow(ConfigError);
  });
});
