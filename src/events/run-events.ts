// The typed event log of a run: persisted (the dashboard replays it) and published in-process
// (live subscribers get it without polling). Secrets are redacted before either.
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { z } from 'zod';

export const RUN_EVENT_TYPES = ['info', 'success', 'warning', 'error', 'summary'] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export const RunEventInputSchema = z.object({
  type: z.enum(RUN_EVENT_TYPES),
  step: z.string().min(1).max(64).optional(),
  progress: z.number().int().min(0).max(100).optional(),
  message: z.string().min(1),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type RunEventInput = z.infer<typeof RunEventInputSchema>;

export interface RunEvent extends RunEventInput {
  runId: number;
  seq: number;
  createdAt: Date;
}

export class RunEventBus extends EventEmitter<{ event: [RunEvent] }> {}

export class RunEventLog {
  readonly #knex: Knex;
  readonly #redact: (text: string) => string;
  readonly #bus: RunEventBus;

  constructor(knex: Knex, redact: (text: string) => string, bus: RunEventBus) {
    this.#knex = knex;
    this.#redact = redact;
    this.#bus = bus;
  }

  async append(runId: number, input: RunEventInput): Promise<RunEvent> {
    const event = RunEventInputSchema.parse(input);
    const message = this.#redact(event.message);
    const data = event.data === undefined ? null : JSON.parse(this.#redact(JSON.stringify(event.data)));
    // seq is per run and gap-free; a run has one writer at a time (the per-ticket queue lock).
    const result = await this.#knex.raw(
      `INSERT INTO run_events (run_id, seq, type, step, progress, message, data)
       SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?::jsonb FROM run_events WHERE run_id = ?
       RETURNING seq, created_at`,
      [runId, event.type, event.step ?? null, event.progress ?? null, message, data === null ? null : JSON.stringify(data), runId],
    );
    const row = (result.rows ?? result)[0] as { seq: number; created_at: string | Date };
    const stored: RunEvent = { ...event, message, ...(data ? { data } : {}), runId, seq: Number(row.seq), createdAt: new Date(row.created_at) };
    this.#bus.emit('event', stored);
    return stored;
  }

  async list(runId: number, afterSeq = 0): Promise<RunEvent[]> {
    const rows = await this.#knex('run_events').where('run_id', runId).andWhere('seq', '>', afterSeq).orderBy('seq');
    return rows.map((row) => ({
      runId: Number(row.run_id),
      seq: Number(row.seq),
      type: row.type as RunEventType,
      ...(row.step ? { step: row.step as string } : {}),
      ...(row.progress === null || row.progress === undefined ? {} : { progress: Number(row.progress) }),
      message: row.message as string,
      ...(row.data ? { data: row.data as Record<string, unknown> } : {}),
      createdAt: new Date(row.created_at),
    }));
  }
}
