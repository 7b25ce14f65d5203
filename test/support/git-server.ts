// A real smart-HTTP git server for tests: node:http in front of `git http-backend` (CGI), with the
// token check GitHub does, so clones and fetches go through git's real HTTP transport and auth.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface GitServerRequest {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
  status: number;
  /** For protocol v2 POSTs, the command in the body (`ls-refs`, `fetch`); absent otherwise. */
  command?: string;
}

export interface GitServer {
  /** Origin; a repository created with createRepo(root, 'x') is at `${url}/x.git`. */
  url: string;
  requests: GitServerRequest[];
  close(): Promise<void>;
}

export function basicAuthorization(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

function isAuthorized(header: string | undefined, token: string): boolean {
  return header === basicAuthorization(token) || header === `Bearer ${token}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function v2Command(body: Buffer, encoding: string | undefined): string | undefined {
  try {
    const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('latin1');
    return /^[0-9a-f]{4}command=([a-z-]+)/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

// A CGI response is header lines, a blank line, then the body; `Status:` carries the HTTP status.
function splitCgiHeaders(buffer: Buffer): { headers: [string, string][]; status: number; body: Buffer } | undefined {
  let end = buffer.indexOf('\r\n\r\n');
  let separator = 4;
  const lfEnd = buffer.indexOf('\n\n');
  if (lfEnd !== -1 && (end === -1 || lfEnd < end)) {
    end = lfEnd;
    separator = 2;
  }
  if (end === -1) return undefined;
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of buffer.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { headers, status, body: buffer.subarray(end + separator) };
}

async function handle(req: IncomingMessage, res: ServerResponse, rootDir: string, requireToken: string | undefined, log: GitServerRequest[]): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const authorization = req.headers.authorization;
  const entry: GitServerRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), authorization, status: 0 };
  log.push(entry);
  const body = await readBody(req);
  const encoding = req.headers['content-encoding'];
  const command = req.method === 'POST' ? v2Command(body, encoding) : undefined;
  if (command) entry.command = command;

  if (requireToken !== undefined && !isAuthorized(authorization, requireToken)) {
    entry.status = 401;
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
    res.end('Authentication required\n');
    return;
  }

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: rootDir,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    // http-backend only enables receive-pack (push) for an authenticated user.
    REMOTE_USER: 'x-access-token',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(body);
  let pending: Buffer | undefined = Buffer.alloc(0);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    if (pending === undefined) {
      res.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const parsed = splitCgiHeaders(pending);
    if (!parsed) return;
    pending = undefined;
    entry.status = parsed.status;
    res.writeHead(parsed.status, parsed.headers);
    if (parsed.body.length > 0) res.write(parsed.body);
  });
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  if (pending !== undefined) {
    entry.status = 500;
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`git http-backend gave no response: ${stderr}`);
    return;
  }
  res.end();
}

export async function startGitServer(rootDir: string, options: { requireToken?: string } = {}): Promise<GitServer> {
  const requests: GitServerRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, rootDir, options.requireToken, requests).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The environment fixtures run git with: no host or user config, a fixed identity. */
export const FIXTURE_GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
};

// Fixtures use git directly rather than the code under test, so a bug there cannot hide itself.
// Always asynchronous: a synchronous git talking to this process's own git server would deadlock.
function git(args: string[], cwd: string): Promise<string> {
  const env = FIXTURE_GIT_ENV;
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

async function commitThroughClone(barePath: string, files: Record<string, string>, message: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'git-fixture-'));
  try {
    await git(['clone', '--quiet', barePath, work], tmpdir());
    // An empty bare repo clones onto git's default branch name; the fixture promises `main`.
    await git(['checkout', '--quiet', '-B', 'main'], work);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(['add', '-A'], work);
    await git(['commit', '--quiet', '--allow-empty', '-m', message], work);
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work);
    return await git(['rev-parse', 'HEAD'], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A bare `<name>.git` under rootDir whose `main` has one commit with these files; returns its sha. */
export async function createRepo(rootDir: string, name: string, files: Record<string, string>): Promise<string> {
  const barePath = join(rootDir, `${name}.git`);
  await mkdir(dirname(barePath), { recursive: true });
  await git(['init', '--quiet', '--bare', '--initial-branch=main', barePath], rootDir);
  return commitThroughClone(barePath, files, 'Initial commit');
}

/** Pushes one more commit onto `main` of a repository made by createRepo; returns its sha. */
export function addCommit(rootDir: string, name: string, files: Record<string, string>, message: string): Promise<string> {
  return commitThroughClone(join(rootDir, `${name}.git`), files, message);
}

/**
 * Pushes `branch` (started from main) with these files, through a temporary clone of `url` (a
 * path, or an http URL the token authenticates to); returns the new commit's sha.
 */
export async function pushBranch(url: string, branch: string, files: Record<string, string>, token?: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'git-fixture-branch-'));
  const auth = token ? ["-c", `http.extraHeader=Authorization: ${basicAuthorization(token)}`] : [];
  try {
    await git([...auth, 'clone', '--quiet', url, work], tmpdir());
    await git(['checkout', '--quiet', '-B', branch, 'origin/main'], work);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(['add', '-A'], work);
    await git(['commit', '--quiet', '-m', `Push ${branch}`], work);
    await git([...auth, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], work);
    return await git(['rev-parse', 'HEAD'], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
