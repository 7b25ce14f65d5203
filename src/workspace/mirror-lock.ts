// Serializes work on one mirror. Inside a process an async mutex queues callers without touching
// the disk; across worker processes sharing TICKETS_ROOT, a lock file created with O_EXCL does.
// A holder that died leaves its file behind, so a lock counts as stale when its owner is a dead
// process on this host or when it has not been refreshed for `staleMs` (a holder on another host).
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs?: number;
  /** A lock file untouched for this long is abandoned; holders refresh it at a third of this. */
  staleMs?: number;
  pollMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(lockPath: string) {
    super(`Timed out waiting for the lock ${lockPath}.`);
    this.name = 'LockTimeoutError';
  }
}

const inProcess = new Map<string, Promise<void>>();

/** Runs `fn` while holding both the in-process mutex and the lock file for `lockPath`. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const current = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => current);
  inProcess.set(lockPath, tail);
  try {
    await previous;
    return await withLockFile(lockPath, fn, options);
  } finally {
    release();
    // Only the last waiter may clear the entry; an earlier one would let a newcomer skip the queue.
    if (inProcess.get(lockPath) === tail) inProcess.delete(lockPath);
  }
}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') return value as Owner;
  } catch {
    // A half-written file: judged by its age alone.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function removeIfStale(lockPath: string, staleMs: number): Promise<void> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
  } catch {
    return; // Released meanwhile.
  }
  const owner = parseOwner(text);
  const deadHere = owner !== undefined && owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid);
  const expired = Date.now() - mtimeMs > staleMs;
  if (!deadHere && !expired) return;
  // Re-read just before unlinking so we do not delete a lock someone else took over meanwhile;
  // a tiny window remains, acceptable next to the cost of a lock server.
  const again = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (again !== text) return;
  await unlink(lockPath).catch(() => undefined);
}

async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 50;
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  const owner: Owner = { pid: process.pid, host: hostname(), token: `${Date.now()}-${Math.random().toString(36).slice(2)}` };
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await removeIfStale(lockPath, staleMs);
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    // Never delete a lock that was judged stale and taken over by someone else.
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text !== undefined && parseOwner(text)?.token === owner.token) await unlink(lockPath).catch(() => undefined);
  }
}
