// Process entry: `npm start [-- --role web|worker|all]`.
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, parseRole } from './config.ts';
import { startTicketsmith } from './runtime.ts';

async function main(): Promise<void> {
  // Probot's setup flow writes credentials to ./.env; read it the way Probot's own runner would.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const role = parseRole(process.argv.slice(2));
  const config = loadConfig(process.env, role);
  const app = await startTicketsmith(config);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.services.log.info({ signal }, 'stopping');
    try {
      await app.stop();
      process.exit(0);
    } catch (error) {
      console.error('ticketsmith did not stop cleanly:', error);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('ticketsmith failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
