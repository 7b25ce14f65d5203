// The repository bench/workspace clones: a bare repo whose history is big and whose final tree is
// small, the shape where a per-ticket clone hurts most (every clone pays for all of history, a
// checkout only for the tree). Written with `git fast-import` in one process, because committing
// through a working copy (test/support/git-server.ts) takes minutes for hundreds of commits.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { runGit } from '../src/workspace/git-cli.ts';

export interface HistoryShape {
  commits: number;
  /** Files rewritten by each commit. */
  filesPerCommit: number;
  /** Size of each rewritten file; random bytes, so neither zlib nor deltas can shrink the pack. */
  fileBytes: number;
  /** How many distinct paths the commits rewrite: this bounds the checked-out tree. */
  treeFiles: number;
}

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
