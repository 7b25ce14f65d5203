// With no GitHub App configured, the server must land the user in Probot's manifest flow:
// app.yml → "Register GitHub App" → GitHub converts the code → credentials saved.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import nock from 'nock';
import { loadConfig } from '../../src/config.ts';
import { startTicketsmith, type Ticketsmith } from '../../src/runtime.ts';
import { testPrivateKey } from '../support/github-fixtures.ts';

let app: Ticketsmith;
const saved: Record<string, string>[] = [];
const previousEnv = { GHE_HOST: process.env.GHE_HOST, GHE_PROTOCOL: process.env.GHE_PROTOCOL, NO_SMEE_SETUP: process.env.NO_SMEE_SETUP };

beforeAll(async () => {
  // Probot's code exchange reads GHE_HOST from process.env itself.
  Object.assign(process.env, { GHE_HOST: 'github.test', GHE_PROTOCOL: 'https', NO_SMEE_SETUP: 'true' });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', GHE_HOST: 'github.test' });
  app = await startTicketsmith(config, { pgliteDir: 'memory://', updateEnv: (env) => (saved.push(env), env) });
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterAll(async () => {
  await app.stop();
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
  for (const [key, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

test('the root redirects to the setup page, which posts our app.yml manifest', async () => {
  const root = await fetch(`${app.url}/`, { redirect: 'manual' });
  expect(root.status).toBe(302);
  expect(root.headers.get('location')).toBe('/probot');

  const page = await fetch(`${app.url}/probot`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Register GitHub App');
  expect(html).toContain('https://github.test/settings/apps/new');
  const manifest = JSON.parse(/name="manifest"[^>]*value='([^']*)'/.exec(html)?.[1] ?? /value="([^"]*)"/.exec(html)?.[1]?.replace(/&quot;/g, '"') ?? '{}');
  expect(manifest.name).toBe('ticketsmith');
  expect(manifest.redirect_url).toBe(`${app.url}/probot/setup`);
  expect(manifest.default_events.sort()).toEqual(['check_run', 'issue_comment', 'issues', 'pull_request']);
  expect(manifest.default_permissions).toEqual({ issues: 'write', pull_requests: 'write', contents: 'write', checks: 'write', metadata: 'read' });

  const css = await fetch(`${app.url}/probot/static/primer.css`);
  expect(css.status).toBe(200);
});

test('GitHub redirecting back with a code saves the new app credentials', async () => {
  const pem = testPrivateKey();
  const conversion = nock('https://github.test/api/v3')
    .post('/app-manifests/the-code/conversions')
    .reply(201, { id: 777, slug: 'ticketsmith', client_id: 'Iv1.abc', client_secret: 'cs-secret-value', webhook_secret: 'wh-secret-value', pem, html_url: 'https://github.test/apps/ticketsmith' });
  const response = await fetch(`${app.url}/probot/setup?code=the-code`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('https://github.test/apps/ticketsmith/installations/new');
  expect(conversion.isDone()).toBe(true);
  expect(saved.at(-1)).toMatchObject({ APP_ID: '777', WEBHOOK_SECRET: 'wh-secret-value', GITHUB_CLIENT_ID: 'Iv1.abc', GITHUB_CLIENT_SECRET: 'cs-secret-value' });
  expect(saved.at(-1)?.PRIVATE_KEY).toContain('BEGIN RSA PRIVATE KEY');
});

test('health works in setup mode and says the app is not configured', async () => {
  const health = await (await fetch(`${app.url}/health`)).json();
  expect(health).toMatchObject({ status: 'ok', github: { appConfigured: false }, database: { ok: true, backend: expect.any(String) } });
});
