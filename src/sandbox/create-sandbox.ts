// Picks the sandbox backend from config and says what it is, for /health and the run logs.
import { execFileSync } from 'node:child_process';
import type { Logger } from '../log.ts';
import { BwrapSandbox, detectSandboxUser } from './bwrap.ts';
import { NoSandbox } from './none.ts';
import type { SandboxBackend } from './sandbox.ts';

export type SandboxChoice = 'bwrap' | 'none';

export interface SandboxStatus {
  backend: SandboxChoice;
  available: boolean;
  /** e.g. "bubblewrap 0.8.0", or why it is unavailable, or that nothing is contained. */
  detail: string;
  /** The host user programs run as, when it differs from the worker's. */
  runAsUid?: number;
}

export function createSandbox(choice: SandboxChoice, log: Pick<Logger, 'warn'>): { sandbox: SandboxBackend; status: SandboxStatus } {
  if (choice === 'none') {
    log.warn('SANDBOX=none: commands and tests run unconfined, as the worker itself; never use this with untrusted repositories');
    return { sandbox: new NoSandbox(), status: { backend: 'none', available: true, detail: 'no sandbox: programs run unconfined (development only)' } };
  }
  const user = detectSandboxUser();
  let status: SandboxStatus;
  try {
    const version = execFileSync('bwrap', ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
    status = { backend: 'bwrap', available: true, detail: version, ...(user ? { runAsUid: user.uid } : {}) };
  } catch {
    status = { backend: 'bwrap', available: false, detail: 'bubblewrap is not installed (apt-get install bubblewrap); commands that run code will fail' };
    log.warn(status.detail);
  }
  return { sandbox: new BwrapSandbox({ user }), status };
}
