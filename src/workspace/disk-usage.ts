import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes on disk under `path` (like `du`): hard links are counted once, symlinks not followed. */
export async function diskUsage(path: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const visit = async (target: string): Promise<void> => {
    const stats = await lstat(target).catch(() => undefined);
    if (!stats) return;
    const key = `${stats.dev}:${stats.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    total += stats.blocks * 512;
    if (!stats.isDirectory()) return;
    const names = await readdir(target).catch(() => [] as string[]);
    for (const name of names) await visit(join(target, name));
  };
  await visit(path);
  return total;
}
