// The line protocol between bench/webhook-ack.ts (parent, load generator) and bench/ack-server.ts
// (child, the real ticketsmith web role). One JSON object per line, both ways:
//   child stdout: {"type":"ready",...} once listening, then one answer per command.
//   child stdin:  {"cmd":"stats"} | {"cmd":"counts"} | {"cmd":"stop"}
// Logs go to the child's stderr, so stdout carries nothing but these lines.

export const RUN_QUEUE = 'ticket-run';

export type BenchCommand = { cmd: 'stats' } | { cmd: 'counts' } | { cmd: 'stop' };

export interface ReadyMessage {
  type: 'ready';
  url: string;
  webhookPath: string;
  backend: 'postgres' | 'pglite';
  pid: number;
  profile: boolean;
  /** Per-call costs measured once in the child before load, in microseconds (profile mode only). */
  micro?: Record<string, number>;
}

export interface TimingSummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

/** Server-side figures since the previous stats command. */
export interface StatsMessage {
  type: 'stats';
  /** Event-loop utilization of the server process, 0..1. */
  elu: number;
  /** Event-loop delay (timer lateness) of the server process. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time the server process used (user + system), in ms. */
  cpuMs: number;
  wallMs: number;
  /** Profile mode only: time per stage (request = 'request' event to response 'finish'). */
  stages?: Record<string, TimingSummary>;
}

export interface CountsMessage {
  type: 'counts';
  deliveries: Array<{ id: string; outcome: string; completed: boolean }>;
  /** One entry per runs row (delivery id), duplicates kept. */
  runDeliveryIds: string[];
  /** One entry per pg-boss job row in queue ticket-run (job id), duplicates kept. */
  jobIds: string[];
  jobStates: Record<string, number>;
  tickets: number;
}

export interface StoppedMessage {
  type: 'stopped';
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type ServerMessage = ReadyMessage | StatsMessage | CountsMessage | StoppedMessage | ErrorMessage;

export function summarize(values: number[]): TimingSummary {
  if (values.length === 0) return { count: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, totalMs: 0 };
  const sorted = Float64Array.from(values).sort();
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    meanMs: total / sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    totalMs: total,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}
