// Plans are versioned per ticket: `@make_plan` adds version n + 1 and never rewrites an older one,
// so a revision can always be compared with what it revised.
import type { Knex } from 'knex';
import { z } from 'zod';
import { PlanSchema, type Plan } from '../plans/plan.ts';

export interface StoredPlan {
  id: number;
  ticketId: number;
  version: number;
  /** The run that made it; null once that run is deleted. */
  runId: number | null;
  /** The maintainer's notes from `@make_plan <notes>`; empty for a first plan without notes. */
  notes: string;
  /** The default-branch commit the plan was made against. */
  baseSha: string;
  plan: Plan;
  createdAt: Date;
}

export interface PlanVersionInput {
  ticketId: number;
  runId: number | null;
  notes: string;
  baseSha: string;
  plan: Plan;
}

interface PlanRow {
  id: number;
  ticket_id: number;
  version: number;
  run_id: number | null;
  notes: string;
  base_sha: string;
  plan: unknown;
  created_at: Date | string;
}

// Concurrent inserts on one ticket can pick the same next version; the unique index rejects all
// but one, and each retry sees the winners' rows. Every round lets at least one through.
const MAX_INSERT_ATTEMPTS = 8;
const UNIQUE_VIOLATION = '23505';

function toStoredPlan(row: PlanRow): StoredPlan {
  // node-postgres parses jsonb into an object; other drivers hand back the JSON text.
  const raw: unknown = typeof row.plan === 'string' ? JSON.parse(row.plan) : row.plan;
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Stored plan v${row.version} of ticket ${row.ticket_id} does not match the plan schema: ${z.prettifyError(parsed.error)}`);
  }
  return {
    id: Number(row.id),
    ticketId: Number(row.ticket_id),
    version: Number(row.version),
    runId: row.run_id === null ? null : Number(row.run_id),
    notes: row.notes,
    baseSha: row.base_sha,
    plan: parsed.data,
    createdAt: new Date(row.created_at),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/**
 * Stores the next version of a ticket's plan. The version is allocated in the same statement as the
 * insert, because a multi-statement transaction would hold PGlite's only session, which the job
 * queue shares.
 */
export async function insertPlanVersion(knex: Knex, input: PlanVersionInput): Promise<StoredPlan> {
  // Validating here keeps a malformed plan out of the table, where every later read would fail on it.
  const plan = PlanSchema.parse(input.plan);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await knex.raw(
        `INSERT INTO plans (ticket_id, version, run_id, notes, base_sha, plan)
         SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?::jsonb FROM plans WHERE ticket_id = ?
         RETURNING *`,
        [input.ticketId, input.runId, input.notes, input.baseSha, JSON.stringify(plan), input.ticketId],
      );
      const row = ((result.rows ?? result) as PlanRow[])[0];
      if (!row) throw new Error(`Inserting a plan for ticket ${input.ticketId} returned nothing`);
      return toStoredPlan(row);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= MAX_INSERT_ATTEMPTS) throw error;
    }
  }
}

export async function latestPlan(knex: Knex, ticketId: number): Promise<StoredPlan | undefined> {
  const row = await knex<PlanRow>('plans').where({ ticket_id: ticketId }).orderBy('version', 'desc').first();
  return row ? toStoredPlan(row) : undefined;
}

/** Every version of a ticket's plan, oldest first. */
export async function listPlans(knex: Knex, ticketId: number): Promise<StoredPlan[]> {
  const rows = await knex<PlanRow>('plans').where({ ticket_id: ticketId }).orderBy('version', 'asc');
  return rows.map(toStoredPlan);
}
