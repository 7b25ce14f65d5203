import type { Knex } from 'knex';
import type { ModelUsage, ProviderName } from '../agent/providers/model-client.ts';

export interface UsageRecord {
  runId: number;
  step: string;
  provider: ProviderName;
  model: string;
  usage: ModelUsage;
  costUsd: number;
  costKnown: boolean;
}

/** One statement, so the per-call row and the run's totals can never disagree. */
export async function recordTokenUsage(knex: Knex, record: UsageRecord): Promise<void> {
  const { usage } = record;
  await knex.raw(
    `WITH inserted AS (
       INSERT INTO token_usage (run_id, step, provider, model, input_tokens, output_tokens, cached_input_tokens, cost_usd, cost_known)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING run_id
     )
     UPDATE runs SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
       cached_input_tokens = cached_input_tokens + ?, cost_usd = cost_usd + ?, cost_known = cost_known AND ?
     WHERE id = (SELECT run_id FROM inserted)`,
    [
      record.runId, record.step, record.provider, record.model, usage.inputTokens, usage.outputTokens, usage.cachedInputTokens, record.costUsd, record.costKnown,
      usage.inputTokens, usage.outputTokens, usage.cachedInputTokens, record.costUsd, record.costKnown,
    ],
  );
}

export interface UsageRow {
  step: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
}

export async function listTokenUsage(knex: Knex, runId: number): Promise<UsageRow[]> {
  const rows = await knex('token_usage').where({ run_id: runId }).orderBy('id');
  return rows.map((r) => ({
    step: r.step,
    provider: r.provider,
    model: r.model,
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    costUsd: Number(r.cost_usd),
  }));
}
