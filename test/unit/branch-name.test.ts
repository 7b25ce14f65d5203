import { describe, expect, test } from '@jest/globals';
import { branchNameFromTemplate, DEFAULT_BRANCH_TEMPLATE, ticketBranchName, validateBranchTemplate } from '../../src/workspace/branch-name.ts';
import { isValidBranchName } from '../../src/workspace/branch-name.ts';

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

describe('validateBranchTemplate', () => {
  test.each(['ticketsmith/issue-{number}-{slug}', '{number}', 'bot/{number}', 'fix/{slug}/{number}', 'Team_A/issue.{number}-{slug}', `a/${'b'.repeat(90)}{number}`])(
    'accepts %j',
    (template) => {
      expect(validateBranchTemplate(template)).toBeUndefined();
    },
  );

  test.each<[string, string]>([
    ['', 'must not be empty'],
    [`${'a'.repeat(93)}{number}`, 'must be at most 100 characters (got 101)'],
    ['issue-{slug}', 'must contain {number}, so that every issue gets its own branch'],
    ['issue-{number}-{title}', 'uses the unknown placeholder {title}; only {number} and {slug} are available'],
    ['issue-{Number}', 'uses the unknown placeholder {Number}; only {number} and {slug} are available'],
    ['issue-{{number}}', 'may only contain letters, digits, ".", "_", "/", "-" and the placeholders (found "{")'],
    ['issue {number}', 'may only contain letters, digits, ".", "_", "/", "-" and the placeholders (found " ")'],
    ['issue~{number}', 'may only contain letters, digits, ".", "_", "/", "-" and the placeholders (found "~")'],
    ['@{number}', 'may only contain letters, digits, ".", "_", "/", "-" and the placeholders (found "@")'],
    ['a..b/{number}', 'must not contain ".."'],
    ['a//{number}', 'must not contain "//"'],
    ['/a/{number}', 'must not start with "/" or "-"'],
    ['-a/{number}', 'must not start with "/" or "-"'],
    ['a/{number}/', 'must not end with "/"'],
    ['a/{number}.', 'must not end with "."'],
    ['a/.{number}', 'must not have a path segment starting with "."'],
    ['a/{number}.lock', 'must not have a path segment ending with ".lock"'],
    ['a.lock/{number}', 'must not have a path segment ending with ".lock"'],
  ])('rejects %j', (template, problem) => {
    expect(validateBranchTemplate(template)).toBe(problem);
  });
});

describe('branchNameFromTemplate', () => {
  test('the default template gives exactly what ticketBranchName gives', () => {
    expect(DEFAULT_BRANCH_TEMPLATE).toBe('ticketsmith/issue-{number}-{slug}');
    for (const title of ['Fix the Login bug!', '', '!!! ??? ...', 'Über straße', 'x'.repeat(80)]) {
      expect(branchNameFromTemplate(DEFAULT_BRANCH_TEMPLATE, 7, title)).toBe(ticketBranchName(7, title));
    }
    expect(branchNameFromTemplate(DEFAULT_BRANCH_TEMPLATE, 7, '🚀')).toBe('ticketsmith/issue-7');
  });

  test.each<[string, string, string]>([
    ['bot/{number}', 'Anything', 'bot/12'],
    ['fix/{slug}/{number}', 'Login fails', 'fix/login-fails/12'],
    ['Team_A/issue.{number}.{slug}', 'Login fails', 'Team_A/issue.12.login-fails'],
    ['{slug}-{number}', 'Login fails', 'login-fails-12'],
    ['{number}-{slug}-{number}', 'x', '12-x-12'],
  ])('%j with %j gives %j', (template, title, expected) => {
    expect(branchNameFromTemplate(template, 12, title)).toBe(expected);
  });

  test.each<[string, string]>([
    ['ticketsmith/issue-{number}-{slug}', 'ticketsmith/issue-12'],
    ['fix/{slug}/{number}', 'fix/12'],
    ['fix/{number}/{slug}', 'fix/12'],
    ['{slug}/{number}', '12'],
    ['{slug}-{number}', '12'],
    ['issue.{number}.{slug}', 'issue.12'],
    ['a/{slug}_{number}', 'a/12'],
    ['a{slug}b{number}', 'ab12'],
  ])('an empty slug takes one separator with it: %j gives %j', (template, expected) => {
    expect(branchNameFromTemplate(template, 12, '?!')).toBe(expected);
  });

  test('a slug that would complete a reserved suffix is left out', () => {
    expect(branchNameFromTemplate('{number}.{slug}', 3, 'Lock')).toBe('3');
    expect(branchNameFromTemplate('{number}.{slug}', 3, 'Locks')).toBe('3.locks');
  });

  test.each(['a..b', 'x.lock', 'trailing.', '@{upstream}', 'back\\slash', 'new\nline', ' '])('any valid template gives a valid ref for the title %j', (title) => {
    for (const template of ['{slug}/{number}', 'x/{number}.{slug}', '{number}', 'a-{slug}-b/{number}']) {
      expect(isValidRefName(branchNameFromTemplate(template, 5, title))).toBe(true);
    }
  });

  test('refuses an invalid template or issue number instead of producing a bad branch', () => {
    expect(() => branchNameFromTemplate('issue-{slug}', 1, 'x')).toThrow('branch template "issue-{slug}": must contain {number}, so that every issue gets its own branch');
    expect(() => branchNameFromTemplate(DEFAULT_BRANCH_TEMPLATE, 0, 'x')).toThrow('issueNumber: must be a positive integer (got 0)');
    expect(() => branchNameFromTemplate(DEFAULT_BRANCH_TEMPLATE, 1.5, 'x')).toThrow('issueNumber: must be a positive integer (got 1.5)');
  });
});

describe('isValidBranchName (git check-ref-format --branch, without spawning git)', () => {
  test.each(['main', 'ticketsmith/issue-1-x', 'fix/12', 'a.b_c-d', 'release/v1.2'])('accepts %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });
  test.each(['', 'HEAD', '@', '-x', 'a..b', 'a//b', 'a/', '/a', 'a.', 'a.lock', 'x/.hidden', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a@{1}', 'tab\tname'])(
    'refuses %j',
    (name) => {
      expect(isValidBranchName(name)).toBe(false);
    },
  );
});
