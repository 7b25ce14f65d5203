// A ticket's workspace from birth to removal, end to end: signed webhooks into the running app,
// real git against a smart-HTTP server that demands the installation token, the real queue and
// database. Only GitHub's REST API (nock) and the model (a wire-format server) are stand-ins.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../support/fake-github.ts';
import { basicAuthorization } from '../support/git-server.ts';
import { OWNER, REPO, issueClosedPayload, issueCommentPayload, postWebhook, pullRequestClosedPayload } from '../support/github-fixtures.ts';
import { INSTALLATION_TOKEN, OPENAI_KEY, WEBHOOK_SECRET, startTestApp, waitFor, type TestApp } from '../support/harness.ts';
import { startModelServer, type ModelServer } from '../support/model-server.ts';
import { SAMPLE_FILES, startRepoFixture, type RepoFixture } from '../support/repo-fixture.ts';

let model: ModelServer;
let repo: RepoFixture;
let github: FakeGitHub | undefined;
let app: TestApp | undefined;

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
  app = undefined;
  github = undefined;
  model.requests.length = 0;
  model.setFallback(undefined);
});

async function start(env: Record<string, string> = {}, gitHub: FakeGitHubOptions = {}): Promise<TestApp> {
  github = fakeGitHub({ anyIssue: true, ...gitHub });
  app = await startTestApp({
    env: { MODEL_PROVIDER: 'openai', MODEL: 'gpt-4o-mini', OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: `${model.url}/v1`, MODEL_MAX_RETRIES: '0', ...env },
  });
  return app;
}

const knex = () => app!.app.services.db.knex;
// Computed from TICKETS_ROOT by the documented layout, not with the code under test.
const root = () => realpathSync(app!.app.services.config.workspace.root);
const ticketDir = (issue: number) => join(root(), OWNER, REPO, String(issue));
const mirrorDir = () => join(root(), '.mirrors', OWNER, `${REPO}.git`);
const ticket = (issue: number) => knex()('tickets').where({ repo: `${OWNER}/${REPO}`, issue_number: issue }).first();
const cleanupJobs = () => knex().withSchema('pgboss').from('job').where({ name: 'workspace-cleanup' });
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
const logged = (message: string) => app!.logs.filter((line) => line.includes(`"msg":"${message}"`)).map((line) => JSON.parse(line));

const GIT_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
/** Local git only: it blocks the event loop, and with it the in-process git server. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function chat(body: string, options: { issue?: number; commentId?: number; cloneUrl?: string; title?: string } = {}) {
  const payload = issueCommentPayload({
    body,
    issueNumber: options.issue ?? 1,
    commentId: options.commentId ?? 1001,
    cloneUrl: options.cloneUrl ?? repo.cloneUrl,
    ...(options.title ? { issueTitle: options.title } : {}),
  });
  return postWebhook(app!.url, { event: 'issue_comment', payload, secret: WEBHOOK_SECRET });
}

const webhook = (event: string, payload: unknown) => postWebhook(app!.url, { event, payload, secret: WEBHOOK_SECRET });

async function finishedRun(index = 0) {
  return waitFor(async () => {
    const run = (await knex()('runs').orderBy('id'))[index];
    return run && ['completed', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
  }, `run #${index + 1} to finish`, 30_000);
}

/** The tracking comment's last edit: what the user finally reads. */
const finalComment = (run: { tracking_comment_id: number | string }) => github!.edits(Number(run.tracking_comment_id)).at(-1)?.body.body as string;

async function workspaceRemoved(issue: number) {
  return waitFor(async () => {
    const row = await ticket(issue);
    return !existsSync(ticketDir(issue)) && row.workspace_used_at === null ? row : undefined;
  }, `the workspace of issue ${issue} to be removed`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('closing a ticket', () => {
  test('issues.closed removes the worktree but keeps the mirror and the branch', async () => {
    await start();
    model.enqueue({ kind: 'text', text: 'The typo is in README.md.' });
    await chat('@chat where is the typo?');
    expect((await finishedRun()).state).toBe('completed');
    const open = await ticket(1);
    expect(open.state).toBe('open');
    expect(open.workspace_used_at).not.toBeNull();
    expect(await readFile(join(ticketDir(1), 'README.md'), 'utf8')).toBe(SAMPLE_FILES['README.md']);

    expect((await webhook('issues', issueClosedPayload(1))).status).toBe(200);
    const closed = await workspaceRemoved(1);
    expect(closed.state).toBe('closed');
    // The mirror stays for the next ticket, and the branch (the ticket's work) stays in it.
    expect(existsSync(join(mirrorDir(), 'HEAD'))).toBe(true);
    expect(git(mirrorDir(), 'show-ref', '--verify', `refs/heads/${closed.branch}`)).toBe(`${repo.sha} refs/heads/${closed.branch}`);
    expect(git(mirrorDir(), 'worktree', 'list', '--porcelain')).not.toContain(ticketDir(1));
  }, 30_000);

  test('pull_request.closed removes the workspace of the ticket whose branch it merged, not for a fork', async () => {
    await start();
    model.enqueue({ kind: 'text', text: 'Answered.' });
    await chat('@chat what does greet do?');
    expect((await finishedRun()).state).toBe('completed');
    const { branch } = await ticket(1);
    expect(branch).toMatch(/^ticketsmith\/issue-1-/);

    // A fork's branch of the same name is someone else's: no cleanup is even queued.
    expect((await webhook('pull_request', pullRequestClosedPayload({ number: 7, headRef: branch, merged: true, fromFork: true }))).status).toBe(200);
    await settle();
    expect(await cleanupJobs()).toEqual([]);
    expect(existsSync(join(ticketDir(1), 'README.md'))).toBe(true);
    expect((await ticket(1)).state).toBe('open');

    expect((await webhook('pull_request', pullRequestClosedPayload({ number: 8, headRef: branch, merged: true }))).status).toBe(200);
    expect((await workspaceRemoved(1)).state).toBe('closed');
    const jobs = await waitFor(async () => {
      const rows = await cleanupJobs();
      return rows.length === 1 && rows[0].state === 'completed' ? rows : undefined;
    }, 'the cleanup job to complete');
    expect(jobs[0].data).toEqual({ repo: `${OWNER}/${REPO}`, target: { kind: 'branch', branch } });
    expect(git(mirrorDir(), 'show-ref', '--verify', `refs/heads/${branch}`)).toContain(repo.sha);
  }, 30_000);

  test('a close during a run waits for the run to end, then removes the workspace', async () => {
    await start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    model.enqueue(
      { kind: 'held', until: held, reply: { kind: 'tool_calls', calls: [{ name: 'read_file', input: { path: 'README.md' } }] } },
      { kind: 'text', text: 'README.md line 3 says "committ".' },
    );
    await chat('@chat what does the README say?');
    await waitFor(() => model.requests.length === 1, 'the model to be asked');
    expect((await knex()('runs').first()).state).toBe('running');

    expect((await webhook('issues', issueClosedPayload(1))).status).toBe(200);
    await waitFor(() => logged('workspace cleanup deferred until the running run ends').length === 1, 'the cleanup to be deferred');
    expect((await ticket(1)).state).toBe('closed');
    expect(existsSync(join(ticketDir(1), 'README.md'))).toBe(true);

    release();
    const run = await finishedRun();
    expect(run.state).toBe('completed');
    // The agent read the file after the close: the workspace was still whole while it worked.
    const toolResult = model.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
    expect(toolResult.content).toContain('committ your changes');
    expect(finalComment(run)).toContain('"committ"');
    await workspaceRemoved(1);
    expect(logged('removed the workspace of a closed ticket')).toHaveLength(1);
  }, 30_000);
});

describe('the disk budget', () => {
  test('past WORKSPACE_MAX_GB the least recently used workspace goes, never the one in use', async () => {
    // A budget smaller than the mirror alone: every workspace not in use is over it.
    await start({ WORKSPACE_MAX_GB: '0.00001' });
    model.enqueue({ kind: 'text', text: 'First.' }, { kind: 'text', text: 'Second.' });
    await chat('@chat first', { issue: 1, commentId: 1001 });
    expect((await finishedRun(0)).state).toBe('completed');
    // Alone and in use, issue 1's workspace stays even over budget.
    expect(existsSync(join(ticketDir(1), 'README.md'))).toBe(true);
    expect(logged('workspaces exceed the disk budget but every one is in use')).toHaveLength(1);

    await chat('@chat second', { issue: 2, commentId: 1002, title: 'Greeting is impolite' });
    expect((await finishedRun(1)).state).toBe('completed');
    expect(existsSync(ticketDir(1))).toBe(false);
    expect((await ticket(1)).workspace_used_at).toBeNull();
    expect(existsSync(join(ticketDir(2), 'README.md'))).toBe(true);
    const second = await ticket(2);
    expect(second.workspace_used_at).not.toBeNull();
    expect(second.branch).toMatch(/^ticketsmith\/issue-2-greeting-is-impolite$/);
    const [eviction] = logged('evicted least recently used workspaces');
    expect(eviction.evicted).toEqual([ticketDir(1)]);
    expect(eviction.maxBytes).toBe(Math.round(0.00001 * 1024 ** 3));
    // Issue 1's branch survives in the mirror: eviction loses no work.
    expect(git(mirrorDir(), 'show-ref', '--verify', `refs/heads/${(await ticket(1)).branch}`)).toContain(repo.sha);
  }, 40_000);
});

describe('workspace failures reach the user', () => {
  test('a repository over REPO_MAX_MB is refused before anything is cloned', async () => {
    await start({ REPO_MAX_MB: '1' }, { repoSizeKb: 5 * 1024 });
    const gitRequests = repo.server.requests.length;
    await chat('@chat hello?');
    const run = await finishedRun();
    expect(run.state).toBe('failed');
    expect(run.attempts).toBe(1);
    const message = `${OWNER}/${REPO} is about 5 MB, more than the 1 MB ticketsmith is configured to clone (REPO_MAX_MB).`;
    expect(run.error).toBe(message);
    expect(finalComment(run)).toContain(message);
    expect(github!.routes()).toContain(`GET /repos/${OWNER}/${REPO}`);
    expect(repo.server.requests.length).toBe(gitRequests);
    expect(existsSync(mirrorDir())).toBe(false);
    expect(await filesUnder(root())).toEqual([]);
    expect(model.requests).toHaveLength(0);
  }, 30_000);

  test('a clone URL that does not exist fails once, saying so', async () => {
    await start();
    await chat('@chat hello?', { cloneUrl: `${repo.server.url}/nope/missing.git` });
    const run = await finishedRun();
    expect(run.state).toBe('failed');
    expect(run.error).toBe(`The repository ${OWNER}/${REPO} was not found.`);
    expect(finalComment(run)).toContain(run.error);
    // Permanent: no second attempt even though JOB_RETRY_LIMIT allows one (after 1 s).
    await settle(2500);
    const after = await knex()('runs').where({ id: run.id }).first();
    expect(after.attempts).toBe(1);
    const [job] = await knex().withSchema('pgboss').from('job').where({ name: 'ticket-run' });
    expect(job).toMatchObject({ state: 'completed', retry_count: 0 });
    expect(repo.server.requests.filter((r) => r.path.startsWith('/nope/missing.git')).every((r) => r.status === 404)).toBe(true);
    expect(existsSync(mirrorDir())).toBe(false);
    expect(model.requests).toHaveLength(0);
  }, 30_000);

  test('a template branch that already exists upstream, not made by ticketsmith, is not taken over', async () => {
    const upstream = await startRepoFixture({ ...SAMPLE_FILES, '.github/ticketsmith.yml': 'branch_template: "fix/{number}"\n' });
    try {
      // Someone else's fix/1, pushed with plain git over the same authenticated HTTP.
      const theirs = await upstream.pushBranch('fix/1', { 'NOTES.md': 'my own work\n' });
      const pushed = upstream.server.requests.length;

      await start();
      await chat('@chat hello?', { cloneUrl: upstream.cloneUrl });
      const run = await finishedRun();
      expect(run.state).toBe('failed');
      expect(run.attempts).toBe(1);
      expect(run.error).toBe(`The branch fix/1 already exists in ${OWNER}/${REPO} and was not created by ticketsmith.`);
      expect(finalComment(run)).toContain(run.error);
      expect(existsSync(ticketDir(1))).toBe(false);
      // No local branch was made over theirs, and nothing was pushed upstream.
      expect(() => git(mirrorDir(), 'show-ref', '--verify', '--quiet', 'refs/heads/fix/1')).toThrow();
      expect(git(mirrorDir(), 'rev-parse', 'refs/remotes/origin/fix/1')).toBe(theirs);
      const since = upstream.server.requests.slice(pushed);
      expect(since.filter((r) => r.command === 'fetch')).toHaveLength(1);
      expect(since.some((r) => r.query.includes('git-receive-pack') || r.path.endsWith('/git-receive-pack'))).toBe(false);
      expect(model.requests).toHaveLength(0);
    } finally {
      await upstream.close();
    }
  }, 30_000);
});

describe('the installation token', () => {
  test('never lands on disk, in the logs or in run events', async () => {
    await start();
    model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', input: { path: 'README.md' } }] },
      { kind: 'text', text: 'First answer.' },
      { kind: 'text', text: 'Second answer.' },
    );
    const gitRequests = repo.server.requests.length;
    await chat('@chat where is the typo?', { commentId: 1001 });
    expect((await finishedRun(0)).state).toBe('completed');
    const afterClone = repo.server.requests.length;
    // A follow-up fetches into the existing mirror, the other path the token travels.
    await chat('@chat and then?', { commentId: 1002 });
    expect((await finishedRun(1)).state).toBe('completed');
    // The token was really used: git presented it to the server on the clone and on the fetch.
    const clone = repo.server.requests.slice(gitRequests, afterClone);
    const fetch = repo.server.requests.slice(afterClone);
    expect(clone.some((r) => r.command === 'fetch')).toBe(true);
    expect(fetch.some((r) => r.command === 'ls-refs')).toBe(true);
    expect([...clone, ...fetch].every((r) => r.authorization === basicAuthorization(INSTALLATION_TOKEN))).toBe(true);

    const forms = [INSTALLATION_TOKEN, Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString('base64'), Buffer.from(INSTALLATION_TOKEN).toString('base64')];
    const files = await filesUnder(root());
    expect(files).toEqual(expect.arrayContaining([join(mirrorDir(), 'config'), join(ticketDir(1), '.git'), join(ticketDir(1), 'README.md')]));
    const leaks: string[] = [];
    for (const file of files) {
      const bytes = await readFile(file);
      for (const form of forms) if (bytes.includes(form)) leaks.push(`${file} contains ${form === INSTALLATION_TOKEN ? 'the token' : 'a base64 form of it'}`);
    }
    expect(leaks).toEqual([]);
    const config = await readFile(join(mirrorDir(), 'config'), 'utf8');
    expect(config).not.toMatch(/extraheader|x-access-token/i);
    expect(git(mirrorDir(), 'config', '--get', 'remote.origin.url')).toBe(repo.cloneUrl);

    const events = JSON.stringify(await knex()('run_events'));
    expect(events.length).toBeGreaterThan(100);
    for (const form of forms) {
      expect(app!.logs.join('\n')).not.toContain(form);
      expect(events).not.toContain(form);
    }
  }, 40_000);
});
