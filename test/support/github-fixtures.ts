// Real webhook payloads (GitHub's own examples), adjusted per test, and signed like GitHub signs them.
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

// GitHub's own example payloads ship as JSON; require() reads them without import attributes.
const examples: unknown = createRequire(import.meta.url)('@octokit/webhooks-examples');

type Example = { name: string; examples: Array<Record<string, any>> };

function example(event: string, action: string): Record<string, any> {
  const group = (examples as unknown as Example[]).find((e) => e.name === event);
  const found = group?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`No ${event}.${action} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

export const INSTALLATION_ID = 4242;
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';

export interface CommentOptions {
  body: string;
  action?: 'created' | 'edited';
  commentId?: number;
  issueNumber?: number;
  issueTitle?: string;
  login?: string;
  userType?: 'User' | 'Bot';
  association?: string;
  createdAt?: string;
  /** Where the workspace clones from (a local git server in tests). */
  cloneUrl?: string;
}

export function issueCommentPayload(options: CommentOptions): Record<string, any> {
  const payload = example('issue_comment', options.action ?? 'created');
  const login = options.login ?? 'Codertocat';
  const userType = options.userType ?? 'User';
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  payload.comment.body = options.body;
  payload.comment.id = options.commentId ?? 1001;
  payload.comment.created_at = options.createdAt ?? new Date().toISOString();
  payload.comment.updated_at = payload.comment.created_at;
  payload.comment.author_association = options.association ?? 'OWNER';
  payload.comment.user = { ...payload.comment.user, login, type: userType };
  payload.sender = { ...payload.sender, login, type: userType };
  payload.issue.number = options.issueNumber ?? 1;
  payload.issue.title = options.issueTitle ?? 'Spelling error in the README file';
  if (options.cloneUrl) payload.repository.clone_url = options.cloneUrl;
  return payload;
}

export function issueClosedPayload(issueNumber: number): Record<string, any> {
  // The examples package has no issues.closed; an opened issue, closed, has the same shape.
  const payload = example('issues', 'opened');
  payload.action = 'closed';
  payload.issue.state = 'closed';
  payload.installation = { id: INSTALLATION_ID };
  payload.issue.number = issueNumber;
  return payload;
}

export function pullRequestClosedPayload(options: { number: number; headRef: string; merged: boolean; fromFork?: boolean }): Record<string, any> {
  const payload = example('pull_request', 'closed');
  payload.installation = { id: INSTALLATION_ID };
  payload.pull_request.number = options.number;
  payload.pull_request.merged = options.merged;
  payload.pull_request.head.ref = options.headRef;
  payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: options.fromFork ? 'mallory/Hello-World' : `${OWNER}/${REPO}` };
  return payload;
}

export function newDeliveryId(): string {
  return randomUUID();
}

export function signPayload(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function postWebhook(baseUrl: string, options: { event: string; payload: unknown; secret: string; deliveryId?: string; signature?: string }): Promise<Response> {
  const body = JSON.stringify(options.payload);
  return fetch(`${baseUrl}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event,
      'x-github-delivery': options.deliveryId ?? newDeliveryId(),
      'x-hub-signature-256': options.signature ?? signPayload(body, options.secret),
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
}

let cachedKey: string | undefined;
/** A real RSA key, so Probot signs real app JWTs. Generated once per test process. */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return cachedKey;
}
