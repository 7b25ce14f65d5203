import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/connect.ts';
import { getRun } from '../../src/db/runs.ts';
import { listTokenUsage, recordTokenUsage } from '../../src/db/token-usage.ts';
import { backendName, useTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

describe(`token usage [${backendName}]`, () => {
  const db = useTestDatabase();

  test('recordTokenUsage inserts a row and adds to the run totals', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await recordTokenUsage(db().knex, { runId: run.id, step: 'answer', provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 200 }, costUsd: 0.0025, costKnown: true });
    await recordTokenUsage(db().knex, { runId: run.id, step: 'answer', provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 300, outputTokens: 60, cachedInputTokens: 0 }, costUsd: 0.0005, costKnown: true });

    const stored = await getRun(db().knex, run.id);
    expect(stored).toMatchObject({ inputTokens: 1500, outputTokens: 100, cachedInputTokens: 200, costKnown: true });
    expect(stored?.costUsd).toBeCloseTo(0.003, 12);
    expect(await listTokenUsage(db().knex, run.id)).toEqual([
      { step: 'answer', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1200, outputTokens: 40, cachedInputTokens: 200, costUsd: 0.0025 },
      { step: 'answer', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 300, outputTokens: 60, cachedInputTokens: 0, costUsd: 0.0005 },
    ]);
  });

  test('cost_known turns false once an unpriced call is recorded, and stays false', async () => {
    const ticket = await seedTicket(db().knex);
    const run = await seedRun(db().knex, ticket.id);
    await recordTokenUsage(db().knex, { runId: run.id, step: 'answer', provider: 'anthropic', model: 'claude-haiku-4-5', usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 }, costUsd: 0.001, costKnown: true });
    expect((await getRun(db().knex, run.id))?.costKnown).toBe(true);
    await recordTokenUsage(db().knex, { runId: run.id, step: 'answer', provider: 'openai', model: 'my-local-model', usage: { inputTokens: 20, outputTokens: 7, cachedInputTokens: 0 }, costUsd: 0, costKnown: false });
    expect((await getRun(db().knex, run.id))?.costKnown).toBe(false);
    await recordTokenUsage(db().knex, { runId: run.id, step: 'answer', provider: 'anthropic', model: 'claude-haiku-4-5', usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, costUsd: 0.0001, costKnown: true });
    const stored = await getRun(db().knex, run.id);
    expect(stored).toMatchObject({ costKnown: false, inputTokens: 31, outputTokens: 13 });
    const rows = await db().knex('token_usage').where({ run_id: run.id }).orderBy('id').select('cost_known');
    expect(rows.map((r) => r.cost_known)).toEqual([true, false, true]);
  });

  test("listTokenUsage lists only the run's own calls, oldest first", async () => {
    const ticket = await seedTicket(db().knex);
    const a = await seedRun(db().knex, ticket.id);
    const b = await seedRun(db().knex, ticket.id);
    await recordTokenUsage(db().knex, { runId: a.id, step: 'plan', provider: 'openai', model: 'gpt-4.1', usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0 }, costUsd: 0, costKnown: true });
    await recordTokenUsage(db().knex, { runId: b.id, step: 'other', provider: 'openai', model: 'gpt-4.1', usage: { inputTokens: 9, outputTokens: 9, cachedInputTokens: 9 }, costUsd: 0, costKnown: true });
    await recordTokenUsage(db().knex, { runId: a.id, step: 'answer', provider: 'openai', model: 'gpt-4.1', usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 1 }, costUsd: 0, costKnown: true });
    expect((await listTokenUsage(db().knex, a.id)).map((r) => r.step)).toEqual(['plan', 'answer']);
    expect((await listTokenUsage(db().knex, b.id)).map((r) => r.step)).toEqual(['other']);
    expect(await listTokenUsage(db().knex, 999_999)).toEqual([]);
    expect((await getRun(db().knex, b.id))?.inputTokens).toBe(9);
  });

  test('recording usage for a run that does not exist fails and leaves nothing behind', async () => {
    await expect(
      recordTokenUsage(db().knex, { runId: 999_999, step: 'answer', provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, costUsd: 0, costKnown: true }),
    ).rejects.toThrow(/foreign key/i);
    expect(await db().knex('token_usage').where({ run_id: 999_999 })).toEqual([]);
  });
});
