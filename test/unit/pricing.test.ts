import { describe, test, expect } from '@jest/globals';
import { DEFAULT_PRICES, PriceTableSchema, costOf, parsePriceTable, type ModelPrice } from '../../src/agent/pricing.ts';

const TABLE: Record<string, ModelPrice> = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
};

describe('costOf', () => {
  test('bills cached input at the cached rate and the rest of input at the input rate', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 200_000, cachedInputTokens: 400_000 };
    // 600k uncached * 2.5 + 400k cached * 1.25 + 200k output * 10 = 1.5 + 0.5 + 2.0
    const { usd, priced } = costOf('gpt-4o', usage, TABLE);
    expect(priced).toBe(true);
    expect(usd).toBeCloseTo(4.0, 10);
  });

  test('prices a small call exactly', () => {
    const usage = { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 0 };
    // 1200 * 0.15 / 1e6 + 300 * 0.6 / 1e6
    expect(costOf('gpt-4o-mini', usage, TABLE).usd).toBeCloseTo(0.00036, 12);
  });

  test('a dated snapshot uses the longest matching prefix', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0 };
    expect(costOf('gpt-4o-2024-08-06', usage, TABLE)).toEqual({ usd: 2.5, priced: true });
    expect(costOf('gpt-4o-mini-2024-07-18', usage, TABLE)).toEqual({ usd: 0.15, priced: true });
  });

  test('an exact match wins over a prefix', () => {
    const table = { ...TABLE, 'gpt-4o-2024-08-06': { inputPerMTok: 5, outputPerMTok: 15, cachedInputPerMTok: 5 } };
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0 };
    expect(costOf('gpt-4o-2024-08-06', usage, table).usd).toBe(5);
  });

  test('a prefix only matches at a name boundary', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0 };
    expect(costOf('gpt-4.10', usage, TABLE)).toEqual({ usd: 0, priced: false });
    expect(costOf('gpt-4.1:latest', usage, TABLE)).toEqual({ usd: 2, priced: true });
  });

  test('an unknown model costs nothing and says it was not priced', () => {
    const usage = { inputTokens: 5000, outputTokens: 5000, cachedInputTokens: 0 };
    expect(costOf('llama3.1:8b', usage, TABLE)).toEqual({ usd: 0, priced: false });
  });

  test('cached tokens beyond the input count are not billed twice', () => {
    const usage = { inputTokens: 100, outputTokens: 0, cachedInputTokens: 500 };
    expect(costOf('gpt-4o', usage, TABLE).usd).toBeCloseTo((100 * 1.25) / 1e6, 15);
  });

  test('the default table prices every listed model and resolves dated Anthropic names', () => {
    expect(Object.keys(DEFAULT_PRICES).sort()).toEqual([
      'claude-haiku-4-5',
      'claude-opus-4-1',
      'claude-sonnet-4-5',
      'claude-sonnet-4-6',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-5',
      'gpt-5-mini',
      'o4-mini',
    ]);
    expect(PriceTableSchema.safeParse(DEFAULT_PRICES).success).toBe(true);
    const usage = { inputTokens: 2_000_000, outputTokens: 1_000_000, cachedInputTokens: 1_000_000 };
    // 1M * 3 + 1M cached * 0.3 + 1M output * 15
    expect(costOf('claude-sonnet-4-5-20250929', usage, DEFAULT_PRICES)).toEqual({ usd: 18.3, priced: true });
    expect(costOf('gpt-4.1-mini-2025-04-14', usage, DEFAULT_PRICES).usd).toBeCloseTo(0.4 + 0.1 + 1.6, 10);
  });
});

describe('parsePriceTable', () => {
  test('accepts a valid table', () => {
    const json = JSON.stringify({ 'my-model': { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0 } });
    expect(parsePriceTable(json)).toEqual({ 'my-model': { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0 } });
  });

  test('names a negative rate', () => {
    const json = JSON.stringify({ 'gpt-4o': { inputPerMTok: -1, outputPerMTok: 10, cachedInputPerMTok: 1 } });
    expect(() => parsePriceTable(json)).toThrow(/^Price table field gpt-4o\.inputPerMTok is invalid: /);
  });

  test('names a missing field', () => {
    const json = JSON.stringify({ 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 10 } });
    expect(() => parsePriceTable(json)).toThrow(/^Price table field gpt-4o\.cachedInputPerMTok is invalid: /);
  });

  test('names a non-numeric rate', () => {
    const json = JSON.stringify({ 'o4-mini': { inputPerMTok: 1, outputPerMTok: '4.4', cachedInputPerMTok: 0 } });
    expect(() => parsePriceTable(json)).toThrow(/^Price table field o4-mini\.outputPerMTok is invalid: /);
  });

  test('names a misspelt field', () => {
    const json = JSON.stringify({ 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 10, cachedInputPerMTok: 1, inputPerMtok: 2 } });
    expect(() => parsePriceTable(json)).toThrow('Price table field gpt-4o is invalid: Unrecognized key: "inputPerMtok".');
  });

  test('quotes an empty model name', () => {
    const json = JSON.stringify({ '': { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1 } });
    expect(() => parsePriceTable(json)).toThrow('Price table field "" is invalid: ');
  });

  test('rejects a top level that is not an object', () => {
    expect(() => parsePriceTable('[1, 2]')).toThrow(/^Price table field \(top level\) is invalid: /);
  });

  test('rejects text that is not JSON', () => {
    expect(() => parsePriceTable('{gpt-4o: 1}')).toThrow(/^Price table is not valid JSON: /);
  });
});
