// The set of files a model may see: git's view (tracked plus untracked-but-not-ignored) when the
// workspace is a repository, so build output and node_modules never flood a listing.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { gitError, isGitWorkTree, runGit } from './git.ts';

/** A plain walk of a non-repository stops here rather than stalling on a huge tree. */
const MAX_WALK_ENTRIES = 50_000;

/** Files under dir, as sorted POSIX paths relative to dir. */
export async function listWorkspaceFiles(dir: string, signal?: AbortSignal): Promise<string[]> {
  const files = (await isGitWorkTree(dir, signal)) ? await gitFiles(dir, signal) : await walk(dir, signal);
  return [...new Set(files)].sort(comparePaths);
}

async function gitFiles(dir: string, signal?: AbortSignal): Promise<string[]> {
  const files: string[] = [];
  const args = ['-c', 'core.quotePath=false', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'];
  const run = await runGit(args, dir, (line) => line !== '' && files.push(line), { signal, separator: '\0' });
  if (run.code !== 0) throw new Error(`git ls-files failed: ${gitError(run.stderr)}`);
  return files;
}

async function walk(dir: string, signal?: AbortSignal): Promise<string[]> {
  const files: string[] = [];
  const queue = [''];
  while (queue.length > 0 && files.length < MAX_WALK_ENTRIES) {
    signal?.throwIfAborted();
    const rel = queue.shift() ?? '';
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      // Symlinked directories are listed but not entered: their contents may live outside the workspace.
      if (entry.isDirectory()) queue.push(child);
      else files.push(child);
    }
  }
  return files;
}

/** Byte-order comparison, so the listing is stable regardless of locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Translates a glob to an anchored RegExp: `*` and `?` stay within one path segment, `**` spans
 * segments (`**\/` also matches zero directories), and `{a,b}` gives alternatives.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        out += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) out += '|';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // An unclosed brace is treated as closed rather than producing an invalid RegExp.
  out += ')'.repeat(braceDepth);
  return new RegExp(`^${out}$`);
}

/** A glob without a slash matches the file name at any depth, as in .gitignore. */
export function globMatcher(glob: string): (relPath: string) => boolean {
  const re = globToRegExp(glob.replace(/^\.\//, ''));
  if (!glob.includes('/')) return (p) => re.test(p.slice(p.lastIndexOf('/') + 1));
  return (p) => re.test(p);
}
