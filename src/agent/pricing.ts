// What a model run cost, from the usage the providers report. Prices are list prices in USD per
// million tokens; operators override or extend them with a JSON table (parsePriceTable).

import { z } from 'zod';
import type { ModelUsage } from './providers/model-client.ts';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Rate for input tokens served from the prompt cache. */
  cachedInputPerMTok: number;
}

// Approximate public list prices (standard tier) at the time of writing; models with dated
// snapshot names (gpt-4o-2024-08-06, claude-sonnet-4-5-20250929) resolve by prefix.
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cachedInputPerMTok: 0.275 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cachedInputPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cachedInputPerMTok: 0.025 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75, cachedInputPerMTok: 1.5 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1 },
};

const rate = z.number().nonnegative();

// Strict so a misspelt field ("inputPerMtok") is reported instead of silently ignored.
export const PriceTableSchema = z.record(
  z.string().min(1),
  z.strictObject({ inputPerMTok: rate, outputPerMTok: rate, cachedInputPerMTok: rate }),
);

export function parsePriceTable(json: string): Record<string, ModelPrice> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`Price table is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PriceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(fieldName).join('.') : '(top level)';
    throw new Error(`Price table field ${where} is invalid: ${issue?.message ?? 'unknown problem'}.`);
  }
  return parsed.data;
}

function fieldName(segment: PropertyKey): string {
  const name = String(segment);
  return /^[\w.:@/-]+$/.test(name) ? name : JSON.stringify(name);
}

/** Exact name first, then the longest table key the model name starts with (at a name boundary). */
function findPrice(model: string, table: Record<string, ModelPrice>): ModelPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (!model.startsWith(key) || (best !== undefined && key.length <= best.length)) continue;
    // "gpt-4.1" must not price "gpt-4.10"; a snapshot suffix starts with a separator.
    const next = model.charAt(key.length);
    if (/[A-Za-z0-9]/.test(next)) continue;
    best = key;
  }
  return best === undefined ? undefined : table[best];
}

export function costOf(
  model: string,
  usage: ModelUsage,
  table: Record<string, ModelPrice>,
): { usd: number; priced: boolean } {
  const price = findPrice(model, table);
  if (!price) return { usd: 0, priced: false };
  // cachedInputTokens is a subset of inputTokens for both adapters; clamp in case a server disagrees.
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const usd =
    (uncached * price.inputPerMTok + cached * price.cachedInputPerMTok + usage.outputTokens * price.outputPerMTok) /
    1_000_000;
  return { usd, priced: true };
}
