// Provider selection by environment: MODEL_CHAT overrides the default provider per command,
// and the answer travels through the real Anthropic SDK and Messages wire format.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { issueCommentPayload, postWebhook } from '../support/github-fixtures.ts';
import { fakeGitHub, type FakeGitHub } from '../support/fake-github.ts';
import { WEBHOOK_SECRET, startTestApp, waitFor, type TestApp } from '../support/harness.ts';
import { startModelServer, type ModelServer } from '../support/model-server.ts';
import { startRepoFixture, type RepoFixture } from '../support/repo-fixture.ts';

const ANTHROPIC_KEY = 'sk-ant-test-6f1e2d3c4b5a69788796a5b4';
let model: ModelServer;
let github: FakeGitHub;
let app: TestApp;
let repo: RepoFixture;

beforeAll(async () => {
  model = await startModelServer();
  repo = await startRepoFixture();
  github = fakeGitHub();
  app = await startTestApp({
    env: {
      MODEL_PROVIDER: 'openai',
      MODEL: 'gpt-4o-mini',
      OPENAI_API_KEY: 'sk-unused-openai-key-000000000000',
      MODEL_CHAT: 'anthropic:claude-sonnet-4-6',
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: model.url,
    },
  });
});
afterAll(async () => {
  await app.stop();
  github.close();
  await model.close();
  await repo.close();
});

test('MODEL_CHAT routes @chat to Anthropic, with the system prompt cached', async () => {
  model.enqueue({ kind: 'text', text: 'Answered by Claude.', usage: { input: 900, output: 12, cached: 600 } });
  await postWebhook(app.url, { event: 'issue_comment', payload: issueCommentPayload({ body: '@chat which provider?', cloneUrl: repo.cloneUrl }), secret: WEBHOOK_SECRET });
  const run = await waitFor(async () => {
    const row = await app.app.services.db.knex('runs').first();
    return row?.state === 'completed' ? row : undefined;
  }, 'the run to complete');
  expect(run.model).toBe('claude-sonnet-4-6');
  expect(run.cached_input_tokens).toBe(600);
  const [request] = model.requests;
  expect(request!.provider).toBe('anthropic');
  expect(request!.body.model).toBe('claude-sonnet-4-6');
  expect(request!.body.system.at(-1).cache_control).toEqual({ type: 'ephemeral' });
  expect(github.edits(9001).at(-1)!.body.body).toContain('Answered by Claude.');
  const usage = await app.app.services.db.knex('token_usage').first();
  expect(usage).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', step: 'answer' });
  expect(app.logs.join('\n')).not.toContain(ANTHROPIC_KEY);
});
