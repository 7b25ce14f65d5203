// One pino logger for the process, handed to Probot too, so every line (ours, Probot's, Octokit's)
// passes through the same redaction before it is written.
import { pino, type Logger } from 'pino';
import { createRedactor } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  secrets: readonly string[];
  /** Where lines go; defaults to stdout. Tests pass a collecting stream to assert on output. */
  destination?: NodeJS.WritableStream;
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const redact = createRedactor(options.secrets);
  let destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  if (options.format === 'pretty' && !options.destination) {
    const { default: pretty } = await import('pino-pretty');
    destination = pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' });
  }
  return pino(
    {
      level: options.level,
      // Redacting the serialized line catches secrets wherever they hide: messages, error
      // stacks, request URLs or nested objects.
      hooks: { streamWrite: (line: string) => redact(line) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
