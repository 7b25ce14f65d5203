import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import type { Run } from '../db/runs.ts';
import type { Ticket } from '../db/tickets.ts';
import type { RepoGateway } from '../github/repo-gateway.ts';
import type { Logger } from '../log.ts';
import type { RunTracker, StepDefinition } from '../reporting/run-tracker.ts';
import type { WorkspaceManager } from '../workspace/workspaces.ts';

export interface CommandContext {
  run: Run;
  ticket: Ticket;
  gateway: RepoGateway;
  tracker: RunTracker;
  knex: Knex;
  config: Config;
  log: Logger;
  workspaces: WorkspaceManager;
  /** Aborted when the run is cancelled or the worker shuts down. */
  signal: AbortSignal;
}

export interface CommandResult {
  /** Markdown shown in the tracking comment's final state. */
  body: string;
  /** One line for the run's event log. */
  summary: string;
}

/** A command that runs as a tracked run (as opposed to the short replies). */
export interface RunCommand {
  steps: StepDefinition[];
  execute(context: CommandContext): Promise<CommandResult>;
}
