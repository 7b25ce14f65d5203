// Builds and starts a ticketsmith process for a role, and stops it in the right order.
// main.ts calls this for `npm start`; the end-to-end tests call it to run the real thing.
import { once } from 'node:events';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Probot } from 'probot';
import type { Config } from './config.ts';
import { openDatabase } from './db/connect.ts';
import { RunEventBus, RunEventLog } from './events/run-events.ts';
import { createProbotInstance, probotConnector } from './github/probot.ts';
import { createLogger } from './log.ts';
import { startQueue } from './queue/boss.ts';
import { RunDispatcher } from './queue/run-dispatcher.ts';
import { startWorkers } from './queue/workers.ts';
import { createRedactor } from './redact.ts';
import { createHttpApp } from './server.ts';
import type { Services } from './services.ts';
import { createSandbox } from './sandbox/create-sandbox.ts';
import { WorkspaceManager } from './workspace/workspaces.ts';

export interface StartOptions {
  /** Log destination (tests collect lines to assert nothing secret is written). */
  logDestination?: NodeJS.WritableStream;
  /** PGlite directory override; 'memory://' for tests. Defaults to <DATA_DIR>/pglite. */
  pgliteDir?: string;
  pgliteTemplate?: Blob;
  updateEnv?: (env: Record<string, string>) => Record<string, string>;
}

export interface Ticketsmith {
  services: Services;
  /** The bound base URL. */
  url: string;
  stop(): Promise<void>;
}

export async function startTicketsmith(config: Config, options: StartOptions = {}): Promise<Ticketsmith> {
  const log = await createLogger({ level: config.log.level, format: config.log.format, secrets: config.secrets, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const db = await openDatabase({
    url: config.database.url,
    pgliteDir: options.pgliteDir ?? path.join(config.database.dataDir, 'pglite'),
    ...(options.pgliteTemplate ? { pgliteTemplate: options.pgliteTemplate } : {}),
  });
  const boss = await startQueue(db, config.queue, log);
  const app = config.github.app;
  const probot = app ? createProbotInstance(config, app, log) : undefined;
  const redact = createRedactor(config.secrets);
  const bus = new RunEventBus();
  const dispatcher = new RunDispatcher(db.knex, boss, log);
  const { sandbox, status: sandboxStatus } = createSandbox(config.sandbox.backend, log);
  const workspaces = new WorkspaceManager({ root: config.workspace.root, log: log.child({ name: 'workspace' }), gitTimeoutMs: config.workspace.gitTimeoutMs });
  const services: Services = {
    config,
    log,
    db,
    boss,
    dispatcher,
    github: probot ? probotConnector(probot) : undefined,
    events: new RunEventLog(db.knex, redact, bus),
    bus,
    redact,
    workspaces,
    sandbox,
    sandboxStatus,
  };
  dispatcher.start();

  if (config.role !== 'web') {
    if (probot) await startWorkers(services);
    else log.warn('workers are idle until the GitHub App is configured (finish the setup flow, then restart)');
  }

  // Every role serves HTTP: worker nodes answer /health only.
  const server = await listen(services, probot, config, options);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const setupMode = !probot && config.role !== 'worker';
  log.info({ url, role: config.role, database: db.backend, setupMode }, setupMode ? `ticketsmith needs a GitHub App: open ${url} to register one` : 'ticketsmith is listening');

  return {
    services,
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Order matters on PGlite: the relay, then the queue (it shares the instance), then knex and PGlite.
      await dispatcher.stop();
      await boss.stop({ graceful: true, timeout: 10_000 });
      await db.close();
      log.flush?.();
    },
  };
}

// Bind first, then build the app: the setup flow's welcome message needs the real port (PORT=0).
async function listen(services: Services, probot: Probot | undefined, config: Config, options: StartOptions): Promise<Server> {
  const server = createServer();
  server.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const app = await createHttpApp(services, { probot, port, ...(options.updateEnv ? { updateEnv: options.updateEnv } : {}) });
  server.on('request', app);
  return server;
}

