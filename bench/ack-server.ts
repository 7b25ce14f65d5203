// Child process for bench/webhook-ack.ts: the real ticketsmith, role 'web' (HTTP + Probot +
// database + pg-boss send, no workers, so no GitHub is needed), on 127.0.0.1 and a random port.
// Not meant to be run by hand; the parent spawns it and talks to it over stdin/stdout (see
// bench/ack-protocol.ts). Environment (set by the parent):
//   BENCH_WEBHOOK_SECRET  the secret the parent signs with (required)
//   BENCH_DB_URL          a Postgres database to use; unset = in-memory PGlite
//   BENCH_PROFILE=1       also time each SQL statement, pg-boss send and whole request
import http from 'node:http';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { createHmac } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { startTicketsmith, type Ticketsmith } from '../src/runtime.ts';
import { IssueCommentCreatedSchema } from '../src/intake/comment-payload.ts';
import { parseCommand } from '../src/intake/parse-command.ts';
import { issueCommentPayload, testPrivateKey } from './fixtures.ts';
import { RUN_QUEUE, summarize, type BenchCommand, type ServerMessage, type TimingSummary } from './ack-protocol.ts';

const secret = process.env.BENCH_WEBHOOK_SECRET;
const profile = process.env.BENCH_PROFILE === '1';

function send(message: ServerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// ---- profile mode: per-stage timers ---------------------------------------------------------
const stageSamples = new Map<string, number[]>();
function record(stage: string, ms: number): void {
  let samples = stageSamples.get(stage);
  if (!samples) stageSamples.set(stage, (samples = []));
  samples.push(ms);
}

function sqlStage(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  const table = /^(?:insert into|update|delete from) "?(\w+)"?/.exec(s)?.[1] ?? /\bfrom "?(\w+)"?/.exec(s)?.[1] ?? '?';
  const verb = s.split(' ', 1)[0] ?? '?';
  const conflict = s.includes('on conflict') ? (s.includes('do update') ? ' on conflict update' : ' on conflict ignore') : '';
  return `sql ${verb} ${table}${conflict}`;
}

function installProfiling(app: Ticketsmith): void {
  // Whole request, as the server sees it: the 'request' event to the response's 'finish'.
  const originalEmit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (req.method === 'POST') {
        const started = performance.now();
        res.once('finish', () => record('request (server side)', performance.now() - started));
      }
    }
    return originalEmit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;

  // Every knex statement (intake's own SQL), from its 'query' event to the response.
  const { knex } = app.services.db;
  const starts = new Map<string, number>();
  type QueryData = { __knexQueryUid: string; sql: string };
  knex.on('query', (query: QueryData) => starts.set(query.__knexQueryUid, performance.now()));
  const done = (query: QueryData) => {
    const started = starts.get(query.__knexQueryUid);
    if (started === undefined) return;
    starts.delete(query.__knexQueryUid);
    record(sqlStage(query.sql), performance.now() - started);
  };
  knex.on('query-response', (_response: unknown, query: QueryData) => done(query));
  knex.on('query-error', (_error: unknown, query: QueryData) => done(query));

  // Waiting for knex's pooled connection (max 10 on Postgres, exactly 1 on PGlite).
  type PoolEvents = { on(event: string, listener: (eventId: number) => void): void };
  const pool = (knex.client as { pool?: PoolEvents }).pool;
  if (pool) {
    const waits = new Map<number, number>();
    pool.on('acquireRequest', (eventId) => waits.set(eventId, performance.now()));
    const acquired = (eventId: number) => {
      const started = waits.get(eventId);
      if (started === undefined) return;
      waits.delete(eventId);
      record('knex pool wait', performance.now() - started);
    };
    pool.on('acquireSuccess', acquired);
    pool.on('acquireFail', acquired);
  }

  // pg-boss send (the job insert, including the wait for pg-boss's own pool), wrapped on the instance intake calls.
  const boss = app.services.boss as unknown as { send: (...args: unknown[]) => Promise<unknown> };
  const originalSend = boss.send.bind(boss);
  boss.send = async (...args: unknown[]) => {
    const started = performance.now();
    try {
      return await originalSend(...args);
    } finally {
      record('pg-boss send', performance.now() - started);
    }
  };
}

/** One-off costs of the CPU-only steps a delivery goes through, in µs per call. */
function microBenchmarks(webhookSecret: string): Record<string, number> {
  const payload = issueCommentPayload({ body: '@chat question 1', commentId: 1, issueNumber: 1 });
  const body = JSON.stringify(payload);
  const time = (fn: () => unknown, n = 2000): number => {
    for (let i = 0; i < 200; i++) fn();
    const started = performance.now();
    for (let i = 0; i < n; i++) fn();
    return Math.round(((performance.now() - started) * 1000 * 100) / n) / 100;
  };
  return {
    payloadBytes: body.length,
    'hmac-sha256 verify (us)': time(() => createHmac('sha256', webhookSecret).update(body).digest('hex')),
    'JSON.parse payload (us)': time(() => JSON.parse(body)),
    'zod IssueCommentCreatedSchema (us)': time(() => IssueCommentCreatedSchema.safeParse(payload)),
    'parseCommand (us)': time(() => parseCommand('@chat question 1')),
  };
}

// ---- counts for the verification step --------------------------------------------------------
async function counts(app: Ticketsmith): Promise<ServerMessage> {
  // Runs are committed before the 2xx and relayed into pg-boss in batches just after: let the
  // relay finish, so "no job" means a run that never reached the queue, not one still on its way.
  await app.services.dispatcher.drain();
  const { knex } = app.services.db;
  const deliveries = await knex('deliveries').select('delivery_id', 'outcome', 'completed_at');
  const runs = await knex('runs').select('delivery_id');
  // pg-boss 12 keeps jobs in pgboss.job (partitioned by queue name; the parent table sees all).
  const jobs = await knex.withSchema('pgboss').from('job').where({ name: RUN_QUEUE }).select(knex.raw('id::text as id'), 'state');
  const [tickets] = await knex('tickets').count({ n: '*' });
  const jobStates: Record<string, number> = {};
  for (const job of jobs as Array<{ state: string }>) jobStates[job.state] = (jobStates[job.state] ?? 0) + 1;
  return {
    type: 'counts',
    deliveries: (deliveries as Array<{ delivery_id: string; outcome: string; completed_at: unknown }>).map((row) => ({
      id: row.delivery_id,
      outcome: row.outcome,
      completed: row.completed_at !== null && row.completed_at !== undefined,
    })),
    runDeliveryIds: (runs as Array<{ delivery_id: string }>).map((row) => row.delivery_id),
    jobIds: (jobs as Array<{ id: string }>).map((row) => row.id),
    jobStates,
    tickets: Number((tickets as { n: unknown } | undefined)?.n ?? 0),
  };
}

async function main(): Promise<void> {
  if (!secret) throw new Error('BENCH_WEBHOOK_SECRET is not set (bench/ack-server.ts is started by bench/webhook-ack.ts)');
  // An explicit environment, like the test harness: nothing from the caller's shell leaks in.
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    APP_ID: '12345',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: secret,
    // The web role makes no GitHub calls; should anything try, it stays on loopback (discard port).
    GHE_HOST: '127.0.0.1:9',
    GHE_PROTOCOL: 'http',
    GITHUB_RETRY_AND_THROTTLE: 'false',
    DATA_DIR: os.tmpdir(),
    DATABASE_URL: process.env.BENCH_DB_URL,
  };
  const config = loadConfig(env as NodeJS.ProcessEnv, 'web');
  const micro = profile ? microBenchmarks(secret) : undefined;
  const app = await startTicketsmith(config, { logDestination: process.stderr, pgliteDir: 'memory://' });
  if (!app.url) throw new Error('the web role did not start an HTTP server');
  if (profile) installProfiling(app);

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let eluMark = performance.eventLoopUtilization();
  let cpuMark = process.cpuUsage();
  let wallMark = performance.now();

  const stats = (): ServerMessage => {
    const elu = performance.eventLoopUtilization(eluMark);
    const cpu = process.cpuUsage(cpuMark);
    const now = performance.now();
    const stages: Record<string, TimingSummary> = {};
    for (const [stage, samples] of stageSamples) stages[stage] = summarize(samples);
    const message: ServerMessage = {
      type: 'stats',
      elu: elu.utilization,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: now - wallMark,
      ...(profile ? { stages } : {}),
    };
    stageSamples.clear();
    loopDelay.reset();
    eluMark = performance.eventLoopUtilization();
    cpuMark = process.cpuUsage();
    wallMark = now;
    return message;
  };

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    loopDelay.disable();
    try {
      await app.stop();
    } catch (error) {
      process.stderr.write(`ack-server: stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
      code = code || 1;
    }
    send({ type: 'stopped' });
    process.exit(code);
  };

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    void (async () => {
      try {
        const command = JSON.parse(line) as BenchCommand;
        if (command.cmd === 'stats') send(stats());
        else if (command.cmd === 'counts') send(await counts(app));
        else if (command.cmd === 'stop') await stop(0);
        else send({ type: 'error', message: `unknown command ${line}` });
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  // The parent went away (crash, kill): do not linger.
  lines.on('close', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  const url = new URL(app.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to serve on ${url.hostname}: the bench stays on 127.0.0.1`);
  send({ type: 'ready', url: app.url, webhookPath: config.github.webhookPath, backend: app.services.db.backend, pid: process.pid, profile, ...(micro ? { micro } : {}) });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
