// Probot's manifest flow (app.yml → "Register GitHub App" → .env written) is not in its public
// exports. We load its own handlers from the installed package rather than re-implement them, so
// the pages and the code exchange stay exactly Probot's. Pinned to probot 14.x in package.json.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

interface SetupModule {
  setupAppFactory(options: { host: string; port: number; log: Logger; updateEnv?: (env: Record<string, string>) => Record<string, string> }): () => Promise<NodeHandler>;
}
interface StaticModule {
  staticFilesHandler: NodeHandler;
}

const probotLib = dirname(fileURLToPath(import.meta.resolve('probot')));
const load = async <T>(relative: string): Promise<T> => (await import(pathToFileURL(join(probotLib, relative)).href)) as T;

export interface SetupFlowOptions {
  host: string;
  port: number;
  log: Logger;
  /** Where the credentials go; Probot's default writes ./.env and updates process.env. */
  updateEnv?: (env: Record<string, string>) => Record<string, string>;
}

/** One handler serving /, /probot, /probot/setup, /probot/import, /probot/success and the static assets. */
export async function createSetupFlowHandler(options: SetupFlowOptions): Promise<NodeHandler> {
  const { setupAppFactory } = await load<SetupModule>('apps/setup.js');
  const { staticFilesHandler } = await load<StaticModule>('server/handlers/static-files.js');
  const setupHandler = await setupAppFactory({
    host: options.host,
    port: options.port,
    log: options.log.child({ name: 'setup' }),
    ...(options.updateEnv ? { updateEnv: options.updateEnv } : {}),
  })();
  return async (req, res) => (await staticFilesHandler(req, res)) || (await setupHandler(req, res));
}
