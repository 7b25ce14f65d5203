import { describe, expect, test } from '@jest/globals';
import { ticketBranchName } from '../../src/workspace/branch-name.ts';

// The parts of git's ref-format rules a generated name could break.
function isValidRefName(name: string): boolean {
  return (
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name) &&
    !name.includes('..') &&
    !name.includes('@{') &&
    !name.includes('//') &&
    !name.endsWith('.') &&
    !name.endsWith('/') &&
    !name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))
  );
}

describe('ticketBranchName', () => {
  test.each<[number, string, string]>([
    [12, 'Fix the Login bug!', 'ticketsmith/issue-12-fix-the-login-bug'],
    [1, 'Crash in parser (v2.3.1)', 'ticketsmith/issue-1-crash-in-parser-v2-3-1'],
    [3, '  --Leading and trailing--  ', 'ticketsmith/issue-3-leading-and-trailing'],
    [4, 'Café déjà vu: naïve façade', 'ticketsmith/issue-4-cafe-deja-vu-naive-facade'],
    [5, 'feat/api: add ~refs^ and *globs*', 'ticketsmith/issue-5-feat-api-add-refs-and-globs'],
    [6, 'Über straße', 'ticketsmith/issue-6-uber-stra-e'],
  ])('#%i %j', (issue, title, expected) => {
    expect(ticketBranchName(issue, title)).toBe(expected);
  });

  test('a title with nothing usable gives the bare issue branch', () => {
    expect(ticketBranchName(7, '')).toBe('ticketsmith/issue-7');
    expect(ticketBranchName(7, '!!! ??? ...')).toBe('ticketsmith/issue-7');
    expect(ticketBranchName(7, '日本語のタイトル 🚀')).toBe('ticketsmith/issue-7');
  });

  test('the slug is at most 40 characters and never ends with a dash', () => {
    const name = ticketBranchName(99, 'This is a very long issue title that keeps going - and going and going');
    const slug = name.slice('ticketsmith/issue-99-'.length);
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith('-')).toBe(false);
    expect(name).toBe('ticketsmith/issue-99-this-is-a-very-long-issue-title-that-kee');
    // A cut that lands right after a separator drops the dash.
    expect(ticketBranchName(1, `${'a'.repeat(39)} b`)).toBe(`ticketsmith/issue-1-${'a'.repeat(39)}`);
  });

  test('is stable: the same issue and title always give the same branch', () => {
    expect(ticketBranchName(42, 'Same Title')).toBe(ticketBranchName(42, 'Same Title'));
  });

  test.each(['Fix the Login bug!', 'a..b', 'x.lock', 'trailing.', '@{upstream}', 'back\\slash', 'new\nline', 'tab\there', ' '.repeat(5)])('always a valid git ref name: %j', (title) => {
    const name = ticketBranchName(8, title);
    expect(isValidRefName(name)).toBe(true);
    expect(name).toMatch(/^ticketsmith\/issue-8(-[a-z0-9]+(-[a-z0-9]+)*)?$/);
  });
});
