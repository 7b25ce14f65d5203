// Every model call is recorded under the step that made it, with tokens and cost, whatever the
// caller does with the answer.
import type { Knex } from 'knex';
import { recordTokenUsage } from '../db/token-usage.ts';
import { costOf, type ModelPrice } from './pricing.ts';
import type { ModelClient, ModelRequest, ModelResponse } from './providers/model-client.ts';

export interface MeterContext {
  knex: Knex;
  runId: number;
  prices: Record<string, ModelPrice>;
}

export async function meteredComplete(meter: MeterContext, client: ModelClient, step: string, request: ModelRequest): Promise<ModelResponse> {
  const response = await client.complete(request);
  const cost = costOf(response.model || client.model, response.usage, meter.prices);
  await recordTokenUsage(meter.knex, {
    runId: meter.runId,
    step,
    provider: client.provider,
    model: response.model || client.model,
    usage: response.usage,
    costUsd: cost.usd,
    costKnown: cost.priced,
  });
  return response;
}
