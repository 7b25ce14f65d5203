// The HTTP face of the web role: health, GitHub's webhooks (or the setup flow before the app is
// registered). The dashboard mounts here later.
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import { createNodeMiddleware, type Probot } from 'probot';
import { ticketsmithApp } from './app.ts';
import { describeModelSetup } from './agent/model-selection.ts';
import { createSetupFlowHandler } from './github/setup-flow.ts';
import { queueHealth } from './queue/boss.ts';
import type { Services } from './services.ts';

export interface ServerOptions {
  probot: Probot | undefined;
  /** The port actually bound, for the setup flow's welcome message. */
  port: number;
  updateEnv?: (env: Record<string, string>) => Record<string, string>;
}

export async function createHttpApp(services: Services, options: ServerOptions): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/health', async (_req, res) => {
    const report = await healthReport(services);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });

  if (options.probot && services.config.role !== 'worker') {
    // Probot reads the raw body to verify the signature, so no body parser runs before it.
    const webhooks = await createNodeMiddleware(ticketsmithApp(services), { probot: options.probot, webhooksPath: services.config.github.webhookPath });
    app.use((req: Request, res: Response, next: NextFunction) => {
      Promise.resolve(webhooks(req, res, next)).catch(next);
    });
  } else if (!options.probot && services.config.role !== 'worker') {
    const setup = await createSetupFlowHandler({
      host: services.config.http.host,
      port: options.port,
      log: services.log,
      ...(options.updateEnv ? { updateEnv: options.updateEnv } : {}),
    });
    app.use((req: Request, res: Response, next: NextFunction) => {
      Promise.resolve(setup(req, res)).then((handled) => handled || next(), next);
    });
  }

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `No route for ${req.method} ${req.path}` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    services.log.error({ err: error }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'Internal error; see the server log.' });
  });
  return app;
}

export async function healthReport(services: Services): Promise<Record<string, unknown> & { status: 'ok' | 'degraded' }> {
  const started = performance.now();
  let database: Record<string, unknown>;
  try {
    await services.db.knex.raw('select 1');
    database = { ok: true, backend: services.db.backend, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    database = { ok: false, backend: services.db.backend, error: services.redact(error instanceof Error ? error.message : String(error)) };
  }
  const queue = await queueHealth(services.boss);
  const healthy = database.ok === true && queue.ok;
  return {
    status: healthy ? 'ok' : 'degraded',
    role: services.config.role,
    github: { appConfigured: Boolean(services.config.github.app), apiBaseUrl: services.config.github.apiBaseUrl },
    database,
    queue: { ...queue, ...(queue.error ? { error: services.redact(queue.error) } : {}) },
    model: describeModelSetup(services.config.model),
    sandbox: services.sandboxStatus,
  };
}
