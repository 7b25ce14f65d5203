// webhook-ack: how fast ticketsmith acknowledges signed `issue_comment.created` webhooks.
//
// Starts the real server (role 'web': HTTP + Probot signature check + intake + database + pg-boss
// send; no workers, so no GitHub) in a child process (bench/ack-server.ts), then drives it from
// this process over loopback keep-alive HTTP, open-loop (requests go out on a fixed schedule and
// never wait for earlier responses), at 50, 100, 200 and 400 deliveries/s. Each delivery is a
// GitHub example payload with its own X-GitHub-Delivery UUID, comment id and body "@chat question
// n", spread over 20 issues, HMAC-signed like GitHub signs it. Latency is per request, from the
// moment it is handed to the HTTP client to the last byte of the response. Then it re-sends a
// batch of deliveries already acknowledged (plus a few sent twice at the same instant) and checks
// the database: every delivery recorded once, one run and one `ticket-run` job each, nothing more.
//
// Run:   npm run bench            (or: node --experimental-strip-types --disable-warning=ExperimentalWarning bench/webhook-ack.ts)
// Env:   BENCH_SECONDS=5                 seconds per rate (default 5; the whole run stays under ~60 s)
//        BENCH_RATES=50,100,200,400      deliveries/s to step through
//        BENCH_REDELIVERIES=200          how many acknowledged deliveries to re-send
//        BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
//                                        use Postgres: a fresh database is created for the run and
//                                        dropped after (default: in-memory PGlite in the child)
//        BENCH_PROFILE=1                 the child also times each SQL statement, pg-boss send and
//                                        the whole request, and prints a per-stage breakdown
//        BENCH_CPU_PROF=<dir>            run the child with --cpu-prof, writing the profile to <dir>
//        BENCH_SERVER_FLAGS="..."        extra node/V8 flags for the server child (e.g. --no-liftoff)
//        BENCH_WARMUP=50                 deliveries sent at 50/s before measuring (shown as "warm-up")
//        BENCH_DUMP=<file.csv>           also write every request (phase, send time, latency, status)
// Exit:  0 when no delivery was lost or duplicated, 1 when one was, 2 when the bench itself failed.
//        Latency is reported, not asserted.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { issueCommentPayload, newDeliveryId, signPayload } from './fixtures.ts';
import { percentile, type BenchCommand, type CountsMessage, type ReadyMessage, type ServerMessage, type StatsMessage } from './ack-protocol.ts';

const TARGET_P99_MS = 25;
const TARGET_RATE = 200;
const ISSUES = 20;
const REQUEST_TIMEOUT_MS = 15_000;
const WARMUP_RATE = 50;
const RACING_PAIRS = 20;

interface Settings {
  seconds: number;
  rates: number[];
  redeliveries: number;
  warmup: number;
  profile: boolean;
}

function readSettings(): Settings {
  const rates = (process.env.BENCH_RATES ?? '50,100,200,400').split(',').map((r) => Number(r.trim()));
  if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`BENCH_RATES must list positive rates, e.g. 50,100,200,400 (got ${process.env.BENCH_RATES})`);
  return {
    seconds: positiveNumber('BENCH_SECONDS', 5),
    rates,
    redeliveries: Math.floor(positiveNumber('BENCH_REDELIVERIES', 200)),
    warmup: Math.floor(positiveNumber('BENCH_WARMUP', 50)),
    profile: process.env.BENCH_PROFILE === '1',
  };
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${JSON.stringify(raw)})`);
  return value;
}

// ---- the server child ---------------------------------------------------------------------------

class ServerChild {
  readonly process: ChildProcess;
  private readonly waiting: Array<{ resolve: (m: ServerMessage) => void; reject: (e: Error) => void }> = [];
  private readonly early: ServerMessage[] = [];
  private exited: Error | undefined;

  constructor(env: Record<string, string>) {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ack-server.ts');
    const flags = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
    if (process.env.BENCH_CPU_PROF) flags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`);
    if (process.env.BENCH_SERVER_FLAGS) flags.push(...process.env.BENCH_SERVER_FLAGS.split(/\s+/).filter(Boolean));
    this.process = spawn(process.execPath, [...flags, script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(line) as ServerMessage;
      } catch {
        process.stderr.write(`[ack-server] ${line}\n`);
        return;
      }
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(message);
      else this.early.push(message);
    });
    this.process.on('exit', (code, signal) => {
      this.exited = new Error(`the server child exited (${signal ?? `code ${code}`})`);
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.exited);
    });
  }

  /** The next line from the child, in order. */
  next(timeoutMs: number, what: string): Promise<ServerMessage> {
    const early = this.early.shift();
    if (early) return Promise.resolve(early);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for the server's ${what}`)), timeoutMs);
      this.waiting.push({
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  async command<T extends ServerMessage['type']>(command: BenchCommand, expect: T, timeoutMs = 30_000): Promise<Extract<ServerMessage, { type: T }>> {
    this.process.stdin!.write(`${JSON.stringify(command)}\n`);
    const message = await this.next(timeoutMs, command.cmd);
    if (message.type === 'error') throw new Error(`server: ${message.message}`);
    if (message.type !== expect) throw new Error(`server answered ${message.type} to ${command.cmd}`);
    return message as Extract<ServerMessage, { type: T }>;
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    try {
      await this.command({ cmd: 'stop' }, 'stopped', 15_000);
    } catch {
      this.kill();
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    this.kill();
  }
}

// ---- an optional fresh Postgres database ---------------------------------------------------------

interface BenchDatabase {
  url: string | undefined;
  label: string;
  drop(): Promise<void>;
}

async function benchDatabase(): Promise<BenchDatabase> {
  const base = process.env.BENCH_DATABASE_URL;
  if (!base) return { url: undefined, label: 'PGlite (in-memory, in the server process)', drop: async () => undefined };
  const baseUrl = new URL(base);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(baseUrl.hostname)) throw new Error(`BENCH_DATABASE_URL must point at 127.0.0.1 (got ${baseUrl.hostname})`);
  const name = `ticketsmith_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    label: `Postgres ${baseUrl.host} (fresh database ${name})`,
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

// ---- deliveries and the HTTP client ---------------------------------------------------------------

interface Delivery {
  id: string;
  body: string;
  signature: string;
}

interface Result {
  delivery: Delivery;
  status: number; // 0 = no response (connection error, timeout)
  /** When the request was handed to the HTTP client (performance.now()). */
  sentAt: number;
  ms: number;
  error?: string;
}

let sequence = 0;
function makeDeliveries(count: number, secret: string): Delivery[] {
  const deliveries: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++sequence;
    const payload = issueCommentPayload({ body: `@chat question ${n}`, commentId: 70_000_000 + n, issueNumber: (n % ISSUES) + 1 });
    const body = JSON.stringify(payload);
    deliveries.push({ id: newDeliveryId(), body, signature: signPayload(body, secret) });
  }
  return deliveries;
}

// Idle sockets must be dropped before Node's server closes them (keepAliveTimeout 5 s, announced
// as `Keep-Alive: timeout=5`); the agent only honours that hint when it has a timeout of its own,
// and without one a request can go out on a socket the server is closing ("socket hang up").
const agent = new http.Agent({ keepAlive: true, maxSockets: 512, timeout: 4_000 });

function post(target: URL, delivery: Delivery): Promise<Result> {
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const finish = (status: number, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ delivery, status, sentAt: started, ms: performance.now() - started, ...(error ? { error } : {}) });
    };
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(delivery.body),
          'x-github-event': 'issue_comment',
          'x-github-delivery': delivery.id,
          'x-github-hook-id': '1',
          'x-hub-signature-256': delivery.signature,
          'user-agent': 'GitHub-Hookshot/bench',
        },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => finish(res.statusCode ?? 0));
        res.on('error', (error) => finish(0, error.message));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no response in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => finish(0, `${error.message}${req.reusedSocket ? ' (on a reused keep-alive socket)' : ''}`));
    req.end(delivery.body);
  });
}

interface LoadResult {
  results: Result[];
  /** How late the generator fired a request compared with its schedule (worst case). */
  lagMaxMs: number;
  sendSeconds: number;
}

/** Open loop: request i goes out at start + i/rate whatever happened to the earlier ones. `copies` > 1 sends each delivery that many times at once. */
async function openLoop(target: URL, deliveries: Delivery[], rate: number, copies = 1): Promise<LoadResult> {
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  const pending: Array<Promise<Result>> = [];
  let lagMaxMs = 0;
  let i = 0;
  while (i < deliveries.length) {
    const now = performance.now();
    while (i < deliveries.length && start + i * interval <= now) {
      lagMaxMs = Math.max(lagMaxMs, now - (start + i * interval));
      for (let c = 0; c < copies; c++) pending.push(post(target, deliveries[i]!));
      i++;
    }
    if (i < deliveries.length) {
      const wait = start + i * interval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  const sendSeconds = (performance.now() - start) / 1000;
  return { results: await Promise.all(pending), lagMaxMs, sendSeconds };
}

// ---- reporting -----------------------------------------------------------------------------------

interface Row {
  label: string;
  rate: number;
  sent: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  lagMaxMs: number;
  server: StatsMessage;
}

function row(label: string, rate: number, load: LoadResult, server: StatsMessage): Row {
  const latencies = Float64Array.from(load.results.map((r) => r.ms)).sort();
  return {
    label,
    rate,
    sent: load.results.length,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? 0,
    non2xx: load.results.filter((r) => r.status < 200 || r.status > 299).length,
    lagMaxMs: load.lagMaxMs,
    server,
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function printStages(label: string, stats: StatsMessage): void {
  if (!stats.stages || Object.keys(stats.stages).length === 0) return;
  const entries = Object.entries(stats.stages).sort((a, b) => b[1].totalMs - a[1].totalMs);
  const request = stats.stages['request (server side)'];
  const requests = request?.count || 1;
  // Whatever the timed stages do not cover: reading the body, signature check, JSON parse, routing,
  // event-loop queueing between awaits.
  const covered = entries.filter(([stage]) => stage !== 'request (server side)').reduce((sum, [, s]) => sum + s.totalMs, 0);
  const rest = (request?.totalMs ?? 0) - covered;
  console.log(`\nserver-side stages during ${label} (per request = total time in stage / requests):`);
  console.log(
    table(
      ['stage', 'calls', 'mean', 'p50', 'p99', 'max', 'per request'],
      [
        ...entries.map(([stage, s]) => [stage, String(s.count), ms(s.meanMs), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs), ms(s.totalMs / requests)]),
        ['outside those stages (body, HMAC, JSON, JS, loop queueing)', '', '', '', '', '', ms(rest / requests)],
      ],
    ),
  );
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const settings = readSettings();
  const secret = `whsec-bench-${randomBytes(12).toString('hex')}`;
  const database = await benchDatabase();
  let server: ServerChild | undefined;
  const cleanup = async () => {
    server?.kill();
    await database.drop().catch((error: unknown) => console.error(`could not drop the bench database: ${error instanceof Error ? error.message : String(error)}`));
  };
  process.on('exit', () => server?.kill());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }

  try {
    const startedAt = performance.now();
    server = new ServerChild({
      BENCH_WEBHOOK_SECRET: secret,
      ...(database.url ? { BENCH_DB_URL: database.url } : {}),
      ...(settings.profile ? { BENCH_PROFILE: '1' } : {}),
    });
    const ready = await server.next(60_000, 'ready line');
    if (ready.type !== 'ready') throw new Error(`server did not start: ${ready.type === 'error' ? ready.message : ready.type}`);
    const { url, webhookPath } = ready as ReadyMessage;
    const target = new URL(webhookPath, url);
    if (target.hostname !== '127.0.0.1') throw new Error(`server is not on 127.0.0.1: ${url}`);

    console.log(`webhook-ack: ticketsmith role=web at ${url} (pid ${ready.pid}), database ${database.label}`);
    console.log(`open-loop, ${settings.seconds} s per rate, rates ${settings.rates.join(', ')}/s, ${ISSUES} issues, keep-alive HTTP/1.1, node ${process.version}, server up in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    if (ready.micro) console.log(`one-off CPU costs in the server: ${Object.entries(ready.micro).map(([k, v]) => `${k} ${v}`).join(', ')}`);

    const all: Result[] = [];
    const dump = process.env.BENCH_DUMP ? ['phase,sent_at_ms,latency_ms,status,delivery_id'] : undefined;
    const sentIds = new Set<string>();
    const rows: Row[] = [];
    const stageReports: Array<[string, StatsMessage]> = [];

    const phase = async (label: string, rate: number, deliveries: Delivery[], copies = 1) => {
      await server!.command({ cmd: 'stats' }, 'stats'); // reset the server-side counters
      for (const d of deliveries) sentIds.add(d.id);
      const load = await openLoop(target, deliveries, rate, copies);
      all.push(...load.results);
      if (dump) for (const r of load.results) dump.push(`${label},${(r.sentAt - startedAt).toFixed(2)},${r.ms.toFixed(2)},${r.status},${r.delivery.id}`);
      const stats = await server!.command({ cmd: 'stats' }, 'stats');
      const r = row(label, rate, load, stats);
      rows.push(r);
      stageReports.push([label, stats]);
      const errors = [...new Set(load.results.filter((x) => x.status < 200 || x.status > 299).map((x) => x.error ?? `HTTP ${x.status}`))];
      process.stderr.write(`  ${label.padEnd(10)} ${String(r.sent).padStart(5)} sent  p50 ${ms(r.p50)}  p99 ${ms(r.p99)} ms  non-2xx ${r.non2xx}${errors.length ? ` (${errors.slice(0, 3).join('; ')})` : ''}\n`);
      return load;
    };

    await phase('warm-up', WARMUP_RATE, makeDeliveries(settings.warmup, secret));
    for (const rate of settings.rates) {
      await phase(`${rate}/s`, rate, makeDeliveries(Math.round(rate * settings.seconds), secret));
    }

    // Redeliveries: deliveries already acknowledged, re-sent verbatim (GitHub's "Redeliver"), spread
    // over the run; then fresh ones sent twice at the same instant (a redelivery racing the original).
    const acknowledged = all.filter((r) => r.status >= 200 && r.status <= 299).map((r) => r.delivery);
    const step = Math.max(1, Math.floor(acknowledged.length / settings.redeliveries));
    const resend = acknowledged.filter((_, i) => i % step === 0).slice(0, settings.redeliveries);
    await phase('redeliver', TARGET_RATE, resend);
    await phase('dup pairs', 50, makeDeliveries(RACING_PAIRS, secret), 2);

    // A 202 "still processing" (Probot answers so after 9 s) means the handler is still running:
    // give such deliveries time to finish before counting.
    let counts = (await server.command({ cmd: 'counts' }, 'counts', 60_000)) as CountsMessage;
    if (all.some((r) => r.status === 202)) {
      const deadline = performance.now() + 20_000;
      let completed = -1;
      for (;;) {
        const now = counts.deliveries.filter((d) => d.completed).length;
        if (now >= sentIds.size || now === completed || performance.now() > deadline) break;
        completed = now;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        counts = (await server.command({ cmd: 'counts' }, 'counts', 60_000)) as CountsMessage;
      }
    }
    const verdict = verify(all, sentIds, counts);

    console.log('');
    console.log(
      table(
        ['rate', 'sent', 'p50', 'p90', 'p99', 'max (ms)', 'non-2xx', 'gen lag', 'srv busy', 'srv cpu', 'srv loop p99'],
        rows.map((r) => [
          r.label,
          String(r.sent),
          ms(r.p50),
          ms(r.p90),
          ms(r.p99),
          ms(r.max),
          String(r.non2xx),
          ms(r.lagMaxMs),
          `${Math.round(r.server.elu * 100)}%`,
          `${Math.round((r.server.cpuMs / r.server.wallMs) * 100)}%`,
          ms(r.server.loopDelayP99Ms),
        ]),
      ),
    );
    console.log(
      '(gen lag = worst lateness of the load generator against its schedule, ms; srv busy = server event-loop utilization; ' +
        'srv cpu = server process CPU / wall time, all threads; srv loop p99 = server event-loop delay p99, ms)',
    );
    console.log('');
    console.log(
      `database: deliveries ${counts.deliveries.length} (completed ${counts.deliveries.filter((d) => d.completed).length}), runs ${counts.runDeliveryIds.length}, ` +
        `ticket-run jobs ${counts.jobIds.length} (${Object.entries(counts.jobStates).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}), tickets ${counts.tickets}; ` +
        `unique deliveries sent ${sentIds.size}, requests ${all.length}`,
    );
    console.log(`lost ${verdict.lost}  duplicated ${verdict.duplicated}${verdict.notes.length ? `  (${verdict.notes.join('; ')})` : ''}`);
    if (settings.profile) for (const [label, stats] of stageReports) if (label === `${TARGET_RATE}/s` || label === 'redeliver') printStages(label, stats);

    const target200 = rows.find((r) => r.label === `${TARGET_RATE}/s`);
    console.log('');
    console.log(
      `webhook-ack: p99 at ${TARGET_RATE}/s = ${target200 ? `${ms(target200.p99)} ms` : 'n/a (rate not run)'} (target ≤ ${TARGET_P99_MS} ms), lost ${verdict.lost}, duplicated ${verdict.duplicated}`,
    );
    if (dump && process.env.BENCH_DUMP) {
      writeFileSync(process.env.BENCH_DUMP, `${dump.join('\n')}\n`);
      console.log(`per-request results written to ${process.env.BENCH_DUMP}`);
    }
    await server.stop();
    await database.drop();
    return verdict.lost > 0 || verdict.duplicated > 0 ? 1 : 0;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface Verdict {
  lost: number;
  duplicated: number;
  notes: string[];
}

/**
 * lost: a unique delivery that got any non-2xx answer, or has no completed `deliveries` row, no run
 * or no ticket-run job. duplicated: runs or jobs beyond one per unique delivery, plus any row
 * (delivery, run, job) for an id that was never sent.
 */
function verify(results: Result[], sentIds: Set<string>, counts: CountsMessage): Verdict {
  const notes: string[] = [];
  const failed = new Set(results.filter((r) => r.status < 200 || r.status > 299).map((r) => r.delivery.id));
  const still = results.filter((r) => r.status === 202).length;
  if (still) notes.push(`${still} answered 202 "still processing"`);
  const tally = (ids: string[]) => {
    const map = new Map<string, number>();
    for (const id of ids) map.set(id.toLowerCase(), (map.get(id.toLowerCase()) ?? 0) + 1);
    return map;
  };
  const deliveries = new Map(counts.deliveries.map((d) => [d.id.toLowerCase(), d]));
  const runs = tally(counts.runDeliveryIds);
  const jobs = tally(counts.jobIds);
  const sent = new Set([...sentIds].map((id) => id.toLowerCase()));

  let lost = 0;
  const reasons = { non2xx: 0, noDelivery: 0, noRun: 0, noJob: 0 };
  for (const id of sent) {
    const delivery = deliveries.get(id);
    const missing = {
      non2xx: failed.has(id),
      noDelivery: !delivery?.completed,
      noRun: !runs.get(id),
      noJob: !jobs.get(id),
    };
    if (missing.non2xx || missing.noDelivery || missing.noRun || missing.noJob) lost++;
    for (const key of Object.keys(reasons) as Array<keyof typeof reasons>) if (missing[key]) reasons[key]++;
  }
  if (lost) notes.push(`non-2xx ${reasons.non2xx}, no completed delivery row ${reasons.noDelivery}, no run ${reasons.noRun}, no job ${reasons.noJob}`);

  let duplicated = 0;
  const extra = (map: Map<string, number>, what: string) => {
    let n = 0;
    for (const [id, count] of map) n += sent.has(id) ? count - 1 : count;
    if (n) notes.push(`${n} extra ${what}`);
    duplicated += n;
  };
  extra(runs, 'runs');
  extra(jobs, 'ticket-run jobs');
  extra(tally(counts.deliveries.map((d) => d.id)), 'delivery rows');
  return { lost, duplicated, notes };
}

main().then(
  (code) => {
    agent.destroy();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`webhook-ack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
