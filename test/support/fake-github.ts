// GitHub's REST API, mocked with nock at the HTTP layer: ticketsmith's real Octokit code runs,
// and every request it makes is recorded in order so tests can assert the exact calls.
import nock from 'nock';
import { GITHUB_API, INSTALLATION_TOKEN } from './harness.ts';
import { INSTALLATION_ID, OWNER, REPO } from './github-fixtures.ts';

export interface GitHubCall {
  method: string;
  path: string;
  body: any;
  authorization: string | undefined;
}

export interface ThreadComment {
  id: number;
  login: string;
  body: string;
  createdAt: string;
  updatedAt?: string;
  type?: string;
}

export interface FakeGitHubOptions {
  issue?: { number?: number; title?: string; body?: string; login?: string };
  comments?: ThreadComment[];
  permission?: string;
  /** The repository's size as GitHub reports it (kilobytes). */
  repoSizeKb?: number;
  /** Serve the issue and its comments for any issue number (tests with several tickets), not only `issue.number`. */
  anyIssue?: boolean;
}

export interface FakeGitHub {
  calls: GitHubCall[];
  /** `METHOD /path` keys of calls, tokens excluded, in order. */
  routes(): string[];
  /** Make the next `times` requests matching `METHOD path-prefix` answer `status`. */
  fail(route: string, status: number, times?: number): void;
  createdComments(): GitHubCall[];
  edits(commentId: number): GitHubCall[];
  close(): void;
}

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
// nock matches regular-expression paths against the whole path, base path included.
const API_PATH = new URL(GITHUB_API).pathname;

export function fakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  // Jest gives each test file its own nock, but Node's http and fetch are shared by all of them:
  // activate on use and restore on close, or interceptors from earlier files pile up.
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
  const calls: GitHubCall[] = [];
  const failures: { route: string; status: number; remaining: number }[] = [];
  let nextCommentId = 9001;
  const issueNumber = options.issue?.number ?? 1;

  // nock 15 hands a reply function the fetch Request itself.
  const reply = (ok: (path: string, body: any) => [number, unknown]) => async (request: Request): Promise<[number, any]> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/v3/, '') + url.search;
    const text = await request.text();
    const call: GitHubCall = { method: request.method, path, body: text ? JSON.parse(text) : undefined, authorization: request.headers.get('authorization') ?? undefined };
    calls.push(call);
    const failure = failures.find((f) => f.remaining > 0 && `${call.method} ${path}`.startsWith(f.route));
    if (failure) {
      failure.remaining -= 1;
      return [failure.status, { message: `scripted ${failure.status}` }];
    }
    return ok(path, call.body) as [number, any];
  };

  nock(GITHUB_API)
    .persist()
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(
      reply(() => [201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { issues: 'write' }, repository_selection: 'all' }]))
    .post(new RegExp(`^${API_PATH}${REPO_PATH}/issues/comments/\\d+/reactions$`))
    .reply(
      reply((_p, body) => [201, { id: 1, content: body.content }]))
    .post(new RegExp(`^${API_PATH}${REPO_PATH}/issues/\\d+/comments$`))
    .reply(
      reply((_p, body) => [201, { id: nextCommentId++, body: body.body }]))
    .patch(new RegExp(`^${API_PATH}${REPO_PATH}/issues/comments/\\d+$`))
    .reply(
      reply((path, body) => [200, { id: Number(path.split('/').pop()), body: body.body }]))
    .get(options.anyIssue ? new RegExp(`^${API_PATH}${REPO_PATH}/issues/\\d+$`) : `${REPO_PATH}/issues/${issueNumber}`)
    .reply(
      reply((path) => [
        200,
        {
          number: options.anyIssue ? Number(path.split('/').pop()) : issueNumber,
          title: options.issue?.title ?? 'Spelling error in the README file',
          body: options.issue?.body ?? 'It looks like you accidently spelled "commit" with two "t"s.',
          user: { login: options.issue?.login ?? 'Codertocat', type: 'User' },
          created_at: '2026-11-01T10:00:00Z',
        },
      ]),
    )
    .get(options.anyIssue ? new RegExp(`^${API_PATH}${REPO_PATH}/issues/\\d+/comments(\\?.*)?$`) : `${REPO_PATH}/issues/${issueNumber}/comments`)
    .query(true)
    .reply(
      reply(() => [
        200,
        (options.comments ?? []).map((c) => ({
          id: c.id,
          body: c.body,
          user: { login: c.login, type: c.type ?? 'User' },
          created_at: c.createdAt,
          updated_at: c.updatedAt ?? c.createdAt,
          author_association: 'CONTRIBUTOR',
        })),
      ]),
    )
    .get(REPO_PATH)
    .reply(reply(() => [200, { name: REPO, full_name: `${OWNER}/${REPO}`, size: options.repoSizeKb ?? 120, default_branch: 'main' }]))
    .get(new RegExp(`^${API_PATH}${REPO_PATH}/collaborators/[^/]+/permission$`))
    .reply(
      reply(() => [200, { permission: options.permission ?? 'read', role_name: options.permission ?? 'read', user: { login: 'someone' } }]));

  return {
    calls,
    routes: () => calls.filter((c) => !c.path.includes('/access_tokens')).map((c) => `${c.method} ${c.path.split('?')[0]}`),
    fail: (route, status, times = 1) => failures.push({ route, status, remaining: times }),
    createdComments: () => calls.filter((c) => c.method === 'POST' && /\/issues\/\d+\/comments$/.test(c.path)),
    edits: (commentId) => calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/issues/comments/${commentId}`)),
    close: () => {
      nock.cleanAll();
      nock.enableNetConnect();
      nock.restore();
    },
  };
}
