// The repository bench/workspace clones, built and served from a child process of the benchmark.
//
// Built: a bare repo whose history is big and whose final tree is small, the shape where a
// per-ticket clone hurts most (every clone pays for all of history, a checkout only for the tree).
// Written with `git fast-import` in one process, because committing through a working copy
// (test/support/git-server.ts) takes minutes for hundreds of commits.
//
// Served: by startGitServer, in this child rather than in the benchmark's process. The server
// relays each pack through node without backpressure, so the process hosting it grows by about the
// size of a clone, and on Linux every later spawn (fork) gets slower with the parent's resident
// memory: hosting it in the measuring process would bill ticketsmith's git commands for it.
// Protocol: one JSON line per event on stdout (ServedRepoMessage); a `sync` line on stdin is
// answered once every earlier event has been written; stdin closing stops the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runGit } from '../src/workspace/git-cli.ts';
import { startGitServer } from '../test/support/git-server.ts';

export interface HistoryShape {
  commits: number;
  /** Files rewritten by each commit. */
  filesPerCommit: number;
  /** Size of each rewritten file; random bytes, so neither zlib nor deltas can shrink the pack. */
  fileBytes: number;
  /** How many distinct paths the commits rewrite: this bounds the checked-out tree. */
  treeFiles: number;
}

/** What the benchmark passes in BENCH_WORKSPACE_REPO (JSON). */
export interface ServeRequest {
  /** GIT_PROJECT_ROOT; the repository is `<dir>/<name>.git`. */
  dir: string;
  name: string;
  token: string;
  shape: HistoryShape;
}

export type ServedRepoMessage =
  | { type: 'ready'; url: string; repo: HistoryRepo; buildMs: number }
  /** One `git http-backend` run, i.e. one HTTP request; times are epoch ms (timeOrigin + now). */
  | { type: 'backend'; start: number; end: number; method: string; request: string }
  | { type: 'synced' }
  | { type: 'error'; message: string };

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const epochNow = () => performance.timeOrigin + performance.now();

export interface HistoryRepo {
  path: string;
  packBytes: number;
  /** `git count-objects -vH` as git prints it, for the report. */
  countObjects: string;
  /** Bytes a checkout of the tip writes (the files, not the index). */
  treeBytes: number;
}

const SMALL_FILES: Record<string, string> = {
  'README.md': '# history\n\nA generated repository for bench/workspace.\n',
  'src/index.ts': 'export const answer = 42;\n',
  'package.json': '{ "name": "history", "version": "1.0.0" }\n',
};

export async function buildHistoryRepo(path: string, shape: HistoryShape): Promise<HistoryRepo> {
  await runGit(['init', '--quiet', '--bare', '--initial-branch=main', path], { cwd: '/' });
  await fastImport(path, shape);
  await runGit(['repack', '-adq'], { cwd: path });
  const numeric = (await runGit(['count-objects', '-v'], { cwd: path })).stdout;
  const countObjects = (await runGit(['count-objects', '-vH'], { cwd: path })).stdout.trim();
  const kib = Number(/^size-pack: (\d+)$/m.exec(numeric)?.[1] ?? Number.NaN);
  if (!Number.isFinite(kib)) throw new Error(`could not read size-pack from git count-objects -v:\n${numeric}`);
  const touched = Math.min(shape.treeFiles, shape.commits * shape.filesPerCommit);
  const small = Object.values(SMALL_FILES).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return { path, packBytes: kib * 1024, countObjects, treeBytes: touched * shape.fileBytes + small };
}

async function fastImport(path: string, shape: HistoryShape): Promise<void> {
  const child = spawn('git', ['fast-import', '--quiet'], {
    cwd: path,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  // A fast-import that died mid-stream shows up as EPIPE on stdin; its exit code and stderr say why.
  child.stdin.on('error', () => undefined);

  const write = async (chunk: string | Buffer) => {
    if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, 'drain'), exited]);
  };
  const data = async (content: string | Buffer) => {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    await write(`data ${bytes.length}\n`);
    await write(bytes);
    await write('\n');
  };

  for (let i = 0; i < shape.commits; i++) {
    // Fixed dates, so two runs differ only in file content.
    await write(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${1_700_000_000 + i * 3600} +0000\n`);
    await data(`Regenerate ${shape.filesPerCommit} data files (${i + 1}/${shape.commits})\n`);
    if (i === 0) {
      for (const [file, text] of Object.entries(SMALL_FILES)) {
        await write(`M 100644 inline ${file}\n`);
        await data(text);
      }
    }
    for (let f = 0; f < shape.filesPerCommit; f++) {
      // Cycling through the paths (rather than picking at random) touches each one, so the final
      // tree's size is known without reading it back.
      const file = `data/part-${String((i * shape.filesPerCommit + f) % shape.treeFiles).padStart(3, '0')}.bin`;
      await write(`M 100644 inline ${file}\n`);
      await data(randomBytes(shape.fileBytes));
    }
    await write('\n');
  }
  child.stdin.end();
  const [code, signal] = await exited;
  if (code !== 0) throw new Error(`git fast-import failed (${signal ?? `code ${code}`}): ${stderr.trim()}`);
}

export type Backend = Extract<ServedRepoMessage, { type: 'backend' }>;

/** The benchmark's handle on the child that builds and serves the repository. */
export class RepoServer {
  /** Every `git http-backend` run so far. */
  readonly backends: Backend[] = [];
  private readonly child: ChildProcess;
  private readonly waiting: Array<(message: ServedRepoMessage) => void> = [];
  private exited: Error | undefined;

  constructor(request: ServeRequest) {
    const script = fileURLToPath(import.meta.url);
    this.child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', script], {
      env: { ...process.env, BENCH_WORKSPACE_REPO: JSON.stringify(request) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let message: ServedRepoMessage;
      try {
        message = JSON.parse(line) as ServedRepoMessage;
      } catch {
        process.stderr.write(`[repo server] ${line}\n`);
        return;
      }
      if (message.type === 'backend') this.backends.push(message);
      else this.waiting.shift()?.(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the repository server exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.waiting.splice(0)) waiter({ type: 'error', message: this.exited.message });
    });
  }

  next(): Promise<ServedRepoMessage> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async ready(): Promise<Extract<ServedRepoMessage, { type: 'ready' }>> {
    const message = await this.next();
    if (message.type !== 'ready') throw new Error(`the repository server failed: ${message.type === 'error' ? message.message : message.type}`);
    return message;
  }

  /** Resolves once every backend run that ended before now has been received. */
  async sync(): Promise<void> {
    const answer = this.next();
    this.child.stdin!.write('sync\n');
    await answer;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---- the child ---------------------------------------------------------------------------------

async function serve(request: ServeRequest): Promise<void> {
  const emit = (message: ServedRepoMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const startedAt = performance.now();
  const repo = await buildHistoryRepo(join(request.dir, `${request.name}.git`), request.shape);
  const server = await startGitServer(request.dir, { requireToken: request.token });
  // The server spawns one `git http-backend` per request, right after logging the request.
  dc.subscribe('child_process', (message) => {
    const child = (message as { process: ChildProcess }).process;
    const start = epochNow();
    const entry = server.requests.at(-1);
    child.once('close', () => emit({ type: 'backend', start, end: epochNow(), method: entry?.method ?? '?', request: entry?.command ?? entry?.path.split('/').pop() ?? '?' }));
  });
  emit({ type: 'ready', url: `${server.url}/${request.name}.git`, repo, buildMs: performance.now() - startedAt });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'sync') emit({ type: 'synced' });
  }
  await server.close();
}

if (import.meta.main) {
  const raw = process.env.BENCH_WORKSPACE_REPO;
  if (!raw) throw new Error('bench/workspace-repo.ts is started by bench/workspace.ts, with BENCH_WORKSPACE_REPO set');
  serve(JSON.parse(raw) as ServeRequest).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ServedRepoMessage)}\n`);
    process.exit(2);
  });
}
