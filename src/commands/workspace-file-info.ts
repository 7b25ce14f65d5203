// Line counts of workspace files, for turning citations into links. Synchronous and bounded:
// called a handful of times per answer, and only for paths that resolve inside the workspace.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

const MAX_BYTES = 5 * 1024 * 1024;

export function workspaceFileInfo(root: string): (path: string) => { lines: number } | undefined {
  const realRoot = realpathSync(root);
  const cache = new Map<string, { lines: number } | undefined>();
  return (path) => {
    if (cache.has(path)) return cache.get(path);
    const info = lineCount(realRoot, path);
    cache.set(path, info);
    return info;
  };
}

function lineCount(realRoot: string, path: string): { lines: number } | undefined {
  try {
    const target = realpathSync(resolve(realRoot, path));
    const rel = relative(realRoot, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(/[\\/]/)[0] === '.git') return undefined;
    const stats = statSync(target);
    if (!stats.isFile() || stats.size > MAX_BYTES) return undefined;
    const text = readFileSync(target, 'utf8');
    const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return { lines };
  } catch {
    return undefined;
  }
}
