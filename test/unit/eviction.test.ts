import { describe, expect, test } from '@jest/globals';
import { chooseEvictions, type EvictionCandidate } from '../../src/workspace/eviction.ts';

const c = (ticketId: number, bytes: number, pinned = false): EvictionCandidate => ({ ticketId, bytes, pinned });

describe('chooseEvictions (candidates least recently used first)', () => {
  test('nothing goes while usage is within the budget', () => {
    expect(chooseEvictions([c(1, 50), c(2, 50)], 100, 100)).toEqual([]);
  });

  test('the least recently used go first, only as many as needed', () => {
    expect(chooseEvictions([c(1, 30), c(2, 30), c(3, 30)], 150, 100)).toEqual([1, 2]);
  });

  test('pinned workspaces (a run in progress, or the one about to be used) are skipped, never removed', () => {
    expect(chooseEvictions([c(1, 30, true), c(2, 30), c(3, 30, true), c(4, 30)], 150, 100)).toEqual([2, 4]);
  });

  test('when everything is pinned, nothing goes even over budget', () => {
    expect(chooseEvictions([c(1, 500, true)], 1000, 100)).toEqual([]);
  });
});
