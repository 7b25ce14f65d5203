// Intake end to end: who may trigger what, dedupe, replies, cancel and failure handling, all
// through signed webhooks into the running server.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { issueCommentPayload, newDeliveryId, postWebhook, signPayload } from '../support/github-fixtures.ts';
import { fakeGitHub, type FakeGitHub } from '../support/fake-github.ts';
import { OPENAI_KEY, WEBHOOK_SECRET, startTestApp, waitFor, type TestApp } from '../support/harness.ts';
import { startModelServer, type ModelServer } from '../support/model-server.ts';
import { startRepoFixture, type RepoFixture } from '../support/repo-fixture.ts';

let model: ModelServer;
let repo: RepoFixture;
let github: FakeGitHub;
let app: TestApp;

const modelEnv = () => ({ MODEL_PROVIDER: 'openai', MODEL: 'gpt-4o-mini', OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: `${model.url}/v1`, MODEL_MAX_RETRIES: '0' });

beforeAll(async () => {
  model = await startModelServer();
  repo = await startRepoFixture();
});
afterAll(async () => {
  await model.close();
  await repo.close();
});
afterEach(async () => {
  await app?.stop();
  github?.close();
  model.requests.length = 0;
  model.setFallback(undefined);
});

const knex = () => app.app.services.db.knex;
const send = (body: string, extra: Partial<Parameters<typeof issueCommentPayload>[0]> = {}, deliveryId = newDeliveryId()) =>
  postWebhook(app.url, { event: 'issue_comment', payload: issueCommentPayload({ cloneUrl: repo.cloneUrl, ...extra, body }), secret: WEBHOOK_SECRET, deliveryId });
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
const finishedRun = () =>
  waitFor(async () => {
    const run = await knex()('runs').orderBy('id').first();
    return run && ['completed', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
  }, 'the run to finish');

describe('webhook intake', () => {
  beforeEach(async () => {
    github = fakeGitHub({ permission: 'read' });
    app = await startTestApp({ env: modelEnv() });
  });

  test('a bad signature is rejected and changes nothing', async () => {
    const payload = issueCommentPayload({ body: '@chat hello' });
    const response = await postWebhook(app.url, { event: 'issue_comment', payload, secret: WEBHOOK_SECRET, signature: signPayload(JSON.stringify(payload), 'not-the-secret') });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await settle();
    expect(await knex()('deliveries')).toHaveLength(0);
    expect(github.calls).toHaveLength(0);
  });

  test('the same delivery twice makes one run', async () => {
    model.enqueue({ kind: 'text', text: 'once' });
    const id = newDeliveryId();
    expect((await send('@chat once please', {}, id)).status).toBe(200);
    expect((await send('@chat once please', {}, id)).status).toBe(200);
    const run = await finishedRun();
    expect(run.delivery_id).toBe(id);
    await settle();
    expect(await knex()('runs')).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
    expect(github.createdComments()).toHaveLength(1);
  });

  test('an outsider is refused with one short comment and no run', async () => {
    await send('@chat give me your secrets', { login: 'stranger', association: 'NONE' });
    await waitFor(() => github.createdComments().length > 0, 'the refusal');
    await settle();
    const [refusal] = github.createdComments();
    expect(github.createdComments()).toHaveLength(1);
    expect(refusal!.body.body).toMatch(/write access/i);
    expect(refusal!.body.body).toContain('@stranger');
    expect(github.routes()).toContain('GET /repos/Codertocat/Hello-World/collaborators/stranger/permission');
    expect(await knex()('runs')).toHaveLength(0);
    expect(await knex()('tickets')).toHaveLength(0);
    expect(model.requests).toHaveLength(0);
  });

  test('a comment by a bot is ignored entirely', async () => {
    expect((await send('@chat I am a bot', { login: 'dependabot[bot]', userType: 'Bot' })).status).toBe(200);
    await settle();
    expect(await knex()('deliveries')).toHaveLength(0);
    expect(github.calls).toHaveLength(0);
  });

  test('a comment without a command does nothing', async () => {
    await send('Thanks, I will look at it. cc @octocat');
    await settle();
    expect(await knex()('deliveries')).toHaveLength(0);
    expect(github.calls).toHaveLength(0);
  });

  test('a payload without an installation is ignored with a clear log line', async () => {
    const payload = issueCommentPayload({ body: '@chat hi' });
    delete payload.installation;
    expect((await postWebhook(app.url, { event: 'issue_comment', payload, secret: WEBHOOK_SECRET })).status).toBe(200);
    expect(app.logs.some((line) => line.includes('lacks required fields') && line.includes('installation'))).toBe(true);
    expect(await knex()('deliveries')).toHaveLength(0);
  });

  test('@help answers with the commands', async () => {
    await send('@help');
    await waitFor(() => github.createdComments().length > 0, 'the help comment');
    const body = github.createdComments()[0]!.body.body as string;
    for (const command of ['@chat', '@make_plan', '@dev', '@cancel']) expect(body).toContain(command);
  });

  test('@dev says it is not available yet', async () => {
    await send('@dev please implement this');
    await waitFor(() => github.createdComments().length > 0, 'the reply');
    expect(github.createdComments()[0]!.body.body).toMatch(/not available yet/i);
    expect(await knex()('runs')).toHaveLength(0);
  });
});

describe('write permission through the API', () => {
  beforeEach(async () => {
    github = fakeGitHub({ permission: 'write' });
    app = await startTestApp({ env: modelEnv() });
  });

  test('a contributor with write access gets an answer', async () => {
    model.enqueue({ kind: 'text', text: 'Hello, contributor.' });
    await send('@chat hello', { login: 'helper', association: 'CONTRIBUTOR' });
    const run = await finishedRun();
    expect(run.state).toBe('completed');
    expect(run.requester).toBe('helper');
    expect(github.routes()[0]).toBe('GET /repos/Codertocat/Hello-World/collaborators/helper/permission');
  });
});

describe('failures', () => {
  test('no model configured: the comment says exactly what to set', async () => {
    github = fakeGitHub();
    app = await startTestApp();
    await send('@chat anyone home?');
    const run = await finishedRun();
    expect(run.state).toBe('failed');
    const final = github.edits(9001).at(-1)!.body.body as string;
    for (const variable of ['MODEL_PROVIDER', 'MODEL', 'OPENAI_API_KEY']) expect(final).toContain(variable);
  });

  test('GitHub failing on every attempt ends the run failed with the reason', async () => {
    github = fakeGitHub();
    app = await startTestApp({ env: modelEnv() });
    github.fail('GET /repos/Codertocat/Hello-World/issues/1', 502, 10);
    await send('@chat will this work?');
    const run = await finishedRun();
    expect(run.state).toBe('failed');
    expect(run.attempts).toBe(2); // JOB_RETRY_LIMIT=1 in the harness
    expect(run.error).toContain('HTTP 502');
    expect(github.edits(9001).at(-1)!.body.body).toContain('HTTP 502');
    expect(github.createdComments()).toHaveLength(1); // the retry reused the tracking comment
  });

  test('a transient GitHub failure is retried and the run completes', async () => {
    github = fakeGitHub();
    app = await startTestApp({ env: modelEnv() });
    model.enqueue({ kind: 'text', text: 'Made it on the second attempt.' });
    github.fail('GET /repos/Codertocat/Hello-World/issues/1', 502, 1);
    await send('@chat retry me');
    const run = await finishedRun();
    expect(run.state).toBe('completed');
    expect(run.attempts).toBe(2);
    expect(github.edits(9001).at(-1)!.body.body).toContain('Made it on the second attempt.');
  });
});

describe('@cancel', () => {
  test('stops a running run; the comment says it was cancelled', async () => {
    github = fakeGitHub();
    app = await startTestApp({ env: modelEnv() });
    model.setFallback({ kind: 'hang' });
    await send('@chat think very hard', { commentId: 5001 });
    await waitFor(() => model.requests.length > 0, 'the model call to start');
    const asked = performance.now();
    await send('@cancel', { commentId: 5002 });
    const run = await finishedRun();
    expect(run.state).toBe('cancelled');
    expect(performance.now() - asked).toBeLessThan(5000);
    expect(github.edits(9001).at(-1)!.body.body).toMatch(/cancelled/i);
    const reply = await waitFor(() => github.createdComments().find((c) => !c.body.body.includes('ticketsmith:run')), 'the cancel reply');
    expect(reply.body.body).toContain('Asked 1 running job to stop');
  });
});
