// The long-lived parts of a ticketsmith process, built once at start-up and handed to the
// webhook handlers and job workers.
import type { Config } from './config.ts';
import type { Database } from './db/connect.ts';
import type { RunEventBus, RunEventLog } from './events/run-events.ts';
import type { GitHubConnector } from './github/repo-gateway.ts';
import type { Logger } from './log.ts';
import type { PgBoss } from './queue/boss.ts';
import type { RunDispatcher } from './queue/run-dispatcher.ts';
import type { SandboxBackend } from './sandbox/sandbox.ts';
import type { SandboxStatus } from './sandbox/create-sandbox.ts';
import type { WorkspaceManager } from './workspace/workspaces.ts';

export interface Services {
  config: Config;
  log: Logger;
  db: Database;
  boss: PgBoss;
  /** Relays runs committed by intake into the queue. */
  dispatcher: RunDispatcher;
  /** Undefined until the GitHub App is registered (setup mode). */
  github: GitHubConnector | undefined;
  events: RunEventLog;
  bus: RunEventBus;
  redact: (text: string) => string;
  /** Ticket workspaces under TICKETS_ROOT (used by the worker role). */
  workspaces: WorkspaceManager;
  /** Where repository code runs (used by @dev). */
  sandbox: SandboxBackend;
  sandboxStatus: SandboxStatus;
}

export function requireGitHub(services: Services): GitHubConnector {
  if (!services.github) throw new Error('The GitHub App is not configured yet (APP_ID/PRIVATE_KEY missing); finish the setup flow first.');
  return services.github;
}
