// --role splits the process: web nodes take webhooks and never run jobs; worker nodes run jobs
// and take no webhooks. On Postgres, the two share the work through the database.
import { afterEach, describe, expect, test } from '@jest/globals';
import { issueCommentPayload, postWebhook } from '../support/github-fixtures.ts';
import { fakeGitHub, type FakeGitHub } from '../support/fake-github.ts';
import { OPENAI_KEY, WEBHOOK_SECRET, startTestApp, waitFor, type TestApp } from '../support/harness.ts';
import { startModelServer, type ModelServer } from '../support/model-server.ts';
import { startRepoFixture, type RepoFixture } from '../support/repo-fixture.ts';

const apps: TestApp[] = [];
let github: FakeGitHub | undefined;
let model: ModelServer | undefined;
let repo: RepoFixture | undefined;

afterEach(async () => {
  // Workers first, so nothing is mid-job when the database goes away.
  for (const app of apps.reverse()) await app.stop();
  apps.length = 0;
  github?.close();
  await model?.close();
  await repo?.close();
  model = undefined;
  repo = undefined;
});

const start = async (...args: Parameters<typeof startTestApp>) => {
  const app = await startTestApp(...args);
  apps.push(app);
  return app;
};
const chat = (app: TestApp, cloneUrl?: string) =>
  postWebhook(app.url, { event: 'issue_comment', payload: issueCommentPayload({ body: '@chat split roles?', ...(cloneUrl ? { cloneUrl } : {}) }), secret: WEBHOOK_SECRET });

test('a web node records and queues, but runs nothing', async () => {
  github = fakeGitHub();
  const web = await start({ role: 'web' });
  expect((await chat(web)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const runs = await web.app.services.db.knex('runs');
  expect(runs).toHaveLength(1);
  expect(runs[0].state).toBe('queued');
  expect(github.calls).toHaveLength(0);
  const health = (await (await fetch(`${web.url}/health`)).json()) as { role: string };
  expect(health.role).toBe('web');
});

test('a worker node serves health but takes no webhooks', async () => {
  const worker = await start({ role: 'worker' });
  expect((await chat(worker)).status).toBe(404);
  const health = await (await fetch(`${worker.url}/health`)).json();
  expect(health).toMatchObject({ status: 'ok', role: 'worker', sandbox: { backend: 'bwrap', available: expect.any(Boolean) } });
});

const postgres = process.env.TEST_DATABASE_URL;
describe(postgres ? 'web and worker nodes on one Postgres' : 'web and worker nodes on one Postgres (needs a shared Postgres: set TEST_DATABASE_URL; .ci/run does)', () => {
  (postgres ? test : test.skip)('the worker node answers what the web node queued', async () => {
    github = fakeGitHub();
    model = await startModelServer();
    repo = await startRepoFixture();
    model.enqueue({ kind: 'text', text: 'Answered by the worker node.' });
    const env = { MODEL_PROVIDER: 'openai', MODEL: 'gpt-4o-mini', OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: `${model.url}/v1` };
    const web = await start({ role: 'web', env });
    const worker = await start({ role: 'worker', env, databaseUrl: web.app.services.config.database.url! });
    expect((await chat(web, repo.cloneUrl)).status).toBe(200);
    const run = await waitFor(async () => {
      const row = await web.app.services.db.knex('runs').first();
      return row?.state === 'completed' ? row : undefined;
    }, 'the worker node to finish the run');
    expect(run.state).toBe('completed');
    expect(github.edits(9001).at(-1)!.body.body).toContain('Answered by the worker node.');
    expect(worker.logs.some((line) => line.includes('run completed'))).toBe(true);
    expect(web.logs.some((line) => line.includes('run completed'))).toBe(false);
  });
});
