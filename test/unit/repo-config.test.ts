import { describe, expect, test } from '@jest/globals';
import {
  CONFIG_PATH,
  DEFAULT_REPO_CONFIG,
  MAX_CONFIG_BYTES,
  parseRepoConfig,
  renderConfigProblems,
  type RepoConfig,
} from '../../src/repo/repo-config.ts';

const DEFAULTS: RepoConfig = { allowedCommands: [], maxFixIterations: 3, budgets: {} };

const FULL_CONFIG = `
# Every setting, all valid.
model: anthropic:claude-sonnet-4-6
test_command: npm test -- --ci
setup_command: |
  npm ci
  npm run build
sandbox:
  allowed_commands: [npm, node, pytest]
branch_template: bot/{number}-{slug}
max_fix_iterations: 5
budgets:
  max_cost_usd: 2.5
  max_tokens: 400000
  max_turns: 60
  max_minutes: 45
`;

describe('parseRepoConfig: defaults', () => {
  test('DEFAULT_REPO_CONFIG is the documented default', () => {
    expect(DEFAULT_REPO_CONFIG).toEqual(DEFAULTS);
    expect(Object.isFrozen(DEFAULT_REPO_CONFIG)).toBe(true);
  });

  test.each<[string, string | undefined]>([
    ['no file', undefined],
    ['an empty file', ''],
    ['only whitespace', '  \n\n\t\n'],
    ['only comments', '# nothing configured yet\n# model: gpt-4.1\n'],
    ['an explicit null document', '~\n'],
  ])('%s gives the defaults and no problems', (_, text) => {
    expect(parseRepoConfig(text)).toEqual({ config: DEFAULTS, problems: [] });
  });

  test('each result is a fresh object: changing one cannot change the defaults', () => {
    const first = parseRepoConfig(undefined).config;
    first.allowedCommands.push('curl');
    first.budgets.maxTurns = 1;
    expect(parseRepoConfig(undefined).config).toEqual(DEFAULTS);
    expect(DEFAULT_REPO_CONFIG.allowedCommands).toEqual([]);
  });

  test('null values mean "not set", not "invalid"', () => {
    const result = parseRepoConfig('model:\ntest_command: ~\nsandbox:\nbudgets:\n  max_turns: null\n');
    expect(result).toEqual({ config: DEFAULTS, problems: [] });
  });
});

describe('parseRepoConfig: a valid file', () => {
  test('every field maps from snake_case YAML to the camelCase config', () => {
    expect(parseRepoConfig(FULL_CONFIG)).toEqual({
      config: {
        model: 'anthropic:claude-sonnet-4-6',
        testCommand: 'npm test -- --ci',
        setupCommand: 'npm ci\nnpm run build',
        allowedCommands: ['npm', 'node', 'pytest'],
        branchTemplate: 'bot/{number}-{slug}',
        maxFixIterations: 5,
        budgets: { maxCostUsd: 2.5, maxTokens: 400000, maxTurns: 60, maxMinutes: 45 },
      },
      problems: [],
    });
  });

  test.each(['gpt-4.1', 'openai:gpt-4.1', 'anthropic:claude-sonnet-4-6', 'openai:meta/llama-3.1:8b'])('model %j is accepted as written', (model) => {
    expect(parseRepoConfig(`model: ${model}\n`)).toEqual({ config: { ...DEFAULTS, model }, problems: [] });
  });

  test('the edges of each range are accepted', () => {
    const low = parseRepoConfig('max_fix_iterations: 0\nbudgets: { max_turns: 1, max_minutes: 1, max_tokens: 1, max_cost_usd: 0.01 }\n');
    expect(low).toEqual({ config: { ...DEFAULTS, maxFixIterations: 0, budgets: { maxTurns: 1, maxMinutes: 1, maxTokens: 1, maxCostUsd: 0.01 } }, problems: [] });
    const high = parseRepoConfig('max_fix_iterations: 20\nbudgets: { max_turns: 200, max_minutes: 600 }\n');
    expect(high).toEqual({ config: { ...DEFAULTS, maxFixIterations: 20, budgets: { maxTurns: 200, maxMinutes: 600 } }, problems: [] });
  });

  test('commands are trimmed and duplicate allowed commands are listed once', () => {
    const result = parseRepoConfig('test_command: "  make test  "\nsandbox:\n  allowed_commands: [make, make, go]\n');
    expect(result).toEqual({ config: { ...DEFAULTS, testCommand: 'make test', allowedCommands: ['make', 'go'] }, problems: [] });
  });

  test('a byte order mark does not hide the first key', () => {
    expect(parseRepoConfig('\uFEFFmodel: gpt-4.1\n')).toEqual({ config: { ...DEFAULTS, model: 'gpt-4.1' }, problems: [] });
  });
});

describe('parseRepoConfig: each invalid field is dropped on its own', () => {
  test.each<[string, string, string]>([
    ['model: "mistral large"\n', 'model', 'model: must be "<model>" or "<provider>:<model>" with the provider openai or anthropic, e.g. "anthropic:claude-sonnet-4-6" (got "mistral large")'],
    ['model: 42\n', 'model', 'model: must be text (got 42)'],
    ['test_command: ""\n', 'testCommand', 'test_command: must not be empty (leave the field out to use the default) (got "")'],
    ['test_command: [npm, test]\n', 'testCommand', 'test_command: must be text (got a list)'],
    ['setup_command: "npm ci\\u0007"\n', 'setupCommand', 'setup_command: must not contain control characters (got "npm ci\\u0007")'],
    ['branch_template: "issue-{slug}"\n', 'branchTemplate', 'branch_template: must contain {number}, so that every issue gets its own branch (got "issue-{slug}")'],
    ['branch_template: "-x/{number}"\n', 'branchTemplate', 'branch_template: must not start with "/" or "-" (got "-x/{number}")'],
    ['max_fix_iterations: 21\n', 'maxFixIterations', 'max_fix_iterations: must be at most 20 (got 21)'],
    ['max_fix_iterations: -1\n', 'maxFixIterations', 'max_fix_iterations: must be at least 0 (got -1)'],
    ['max_fix_iterations: 2.5\n', 'maxFixIterations', 'max_fix_iterations: must be a whole number (got 2.5)'],
    ['max_fix_iterations: "3"\n', 'maxFixIterations', 'max_fix_iterations: must be a number (got "3")'],
  ])('%j', (yaml, key, problem) => {
    const result = parseRepoConfig(yaml);
    expect(result.problems).toEqual([problem]);
    expect(result.config).toEqual(DEFAULTS);
    // toEqual ignores `key: undefined`; the dropped field must be absent, or the default (only max_fix_iterations has one).
    expect(key in result.config).toBe(key === 'maxFixIterations');
  });

  test.each<[string, string]>([
    ['max_cost_usd: 0', 'budgets.max_cost_usd: must be more than 0 (got 0)'],
    ['max_cost_usd: .inf', 'budgets.max_cost_usd: must be a number (got Infinity)'],
    ['max_tokens: 0', 'budgets.max_tokens: must be at least 1 (got 0)'],
    ['max_tokens: 1.5', 'budgets.max_tokens: must be a whole number (got 1.5)'],
    ['max_turns: 1000', 'budgets.max_turns: must be at most 200 (got 1000)'],
    ['max_turns: 0', 'budgets.max_turns: must be at least 1 (got 0)'],
    ['max_minutes: 601', 'budgets.max_minutes: must be at most 600 (got 601)'],
    ['max_minutes: true', 'budgets.max_minutes: must be a number (got true)'],
  ])('budgets %j', (line, problem) => {
    const result = parseRepoConfig(`budgets:\n  ${line}\n`);
    expect(result).toEqual({ config: DEFAULTS, problems: [problem] });
  });

  test('valid fields survive next to invalid ones, and every problem names its field', () => {
    const result = parseRepoConfig(`
model: gpt-4.1
test_command: 7
max_fix_iterations: 50
budgets:
  max_turns: 1000
  max_minutes: 30
sandbox:
  allowed_commands: [npm, /bin/sh, "rm -rf /", pytest, [nested]]
`);
    expect(result.config).toEqual({ ...DEFAULTS, model: 'gpt-4.1', allowedCommands: ['npm', 'pytest'], budgets: { maxMinutes: 30 } });
    expect(result.problems).toEqual([
      'test_command: must be text (got 7)',
      'max_fix_iterations: must be at most 20 (got 50)',
      'budgets.max_turns: must be at most 200 (got 1000)',
      'sandbox.allowed_commands[1]: must be a bare program name such as "npm" or "pytest", without a path or arguments (got "/bin/sh")',
      'sandbox.allowed_commands[2]: must be a bare program name such as "npm" or "pytest", without a path or arguments (got "rm -rf /")',
      'sandbox.allowed_commands[4]: must be a bare program name such as "npm" or "pytest", without a path or arguments (got a list)',
    ]);
  });

  test('a section of the wrong shape is dropped with one problem', () => {
    expect(parseRepoConfig('budgets: 5\nsandbox: [npm]\n')).toEqual({
      config: DEFAULTS,
      problems: [
        'budgets: must be a mapping with the fields max_cost_usd, max_tokens, max_turns, max_minutes (got 5)',
        'sandbox: must be a mapping with the fields allowed_commands (got a list)',
      ],
    });
    expect(parseRepoConfig('sandbox:\n  allowed_commands: npm\n')).toEqual({
      config: DEFAULTS,
      problems: ['sandbox.allowed_commands: must be a list of program names, e.g. [npm, pytest] (got "npm")'],
    });
  });

  test('an over-long allow-list is refused as a whole', () => {
    const names = Array.from({ length: 101 }, (_, i) => `tool${i}`);
    expect(parseRepoConfig(`sandbox:\n  allowed_commands: [${names.join(', ')}]\n`)).toEqual({
      config: DEFAULTS,
      problems: ['sandbox.allowed_commands: must list at most 100 programs (got 101)'],
    });
  });

  test('a long invalid value is described by its length, not quoted in full', () => {
    const result = parseRepoConfig(`model: "${'x y'.repeat(40)}"\n`);
    expect(result.problems).toEqual([
      'model: must be "<model>" or "<provider>:<model>" with the provider openai or anthropic, e.g. "anthropic:claude-sonnet-4-6" (got a 120-character text)',
    ]);
  });
});

describe('parseRepoConfig: unknown keys', () => {
  const TOP = 'model, test_command, setup_command, sandbox, branch_template, max_fix_iterations, budgets';

  test('are reported but do not stop the known ones', () => {
    const result = parseRepoConfig('foo: 1\nmodel: gpt-4.1\nbudgets:\n  max_turns: 9\n  bar: 2\nsandbox:\n  network: true\n');
    expect(result.config).toEqual({ ...DEFAULTS, model: 'gpt-4.1', budgets: { maxTurns: 9 } });
    expect(result.problems).toEqual([
      `foo: unknown field; known fields are ${TOP}`,
      'budgets.bar: unknown field; known fields in budgets are max_cost_usd, max_tokens, max_turns, max_minutes',
      'sandbox.network: unknown field; known fields in sandbox are allowed_commands',
    ]);
  });

  test('camelCase or dashed spellings get a suggestion', () => {
    expect(parseRepoConfig('testCommand: npm test\nbudgets:\n  max-turns: 3\n').problems).toEqual([
      `testCommand: unknown field; did you mean test_command? known fields are ${TOP}`,
      'budgets.max-turns: unknown field; did you mean max_turns? known fields in budgets are max_cost_usd, max_tokens, max_turns, max_minutes',
    ]);
  });

  test('keys that are not plain names are quoted, and prototype names are just unknown', () => {
    const result = parseRepoConfig('"a: b": 1\n__proto__: {max_turns: 1}\nconstructor: 2\n? [x]\n: 3\n');
    expect(result.config).toEqual(DEFAULTS);
    expect(result.problems).toEqual([
      `unknown field "a: b"; known fields are ${TOP}`,
      `__proto__: unknown field; known fields are ${TOP}`,
      `constructor: unknown field; known fields are ${TOP}`,
      `a list or mapping used as a key; known fields are ${TOP}`,
    ]);
    expect(({} as Record<string, unknown>).max_turns).toBeUndefined();
  });
});

describe('parseRepoConfig: unreadable files fall back to all defaults', () => {
  test.each<[string, string]>([
    ['model: gpt-4.1\ntest_command: npm test: now\nmax_fix_iterations: 2\n', 'Nested mappings are not allowed in compact mappings (line 2, column 15)'],
    ['model: gpt-4.1\nbudgets:\n\tmax_turns: 2\n', 'Tabs are not allowed as indentation (line 3, column 1)'],
    // An unclosed quote is only noticed where the file ends.
    ['model: gpt-4.1\ntest_command: "npm test\nmax_fix_iterations: 2\n', 'Missing closing "quote (line 4, column 1)'],
  ])('a YAML syntax error gives all defaults and one problem with its line: %j', (yaml, detail) => {
    expect(parseRepoConfig(yaml)).toEqual({ config: DEFAULTS, problems: [`the file is not valid YAML: ${detail}`] });
  });

  test('duplicate keys are a syntax error at the second key', () => {
    expect(parseRepoConfig('model: gpt-4.1\nmodel: gpt-5\n')).toEqual({
      config: DEFAULTS,
      problems: ['the file is not valid YAML: Map keys must be unique (line 2, column 1)'],
    });
  });

  test.each<[string, string]>([
    ['- model: gpt-4.1\n', 'a list'],
    ['just a sentence\n', '"just a sentence"'],
    ['42\n', '42'],
  ])('a top level that is not a mapping: %j', (yaml, got) => {
    expect(parseRepoConfig(yaml)).toEqual({
      config: DEFAULTS,
      problems: [`the file must be a mapping of settings such as "model: gpt-4.1" (got ${got})`],
    });
  });

  test('a few aliases are fine', () => {
    const result = parseRepoConfig('test_command: &cmd npm test\nsetup_command: *cmd\n');
    expect(result).toEqual({ config: { ...DEFAULTS, testCommand: 'npm test', setupCommand: 'npm test' }, problems: [] });
  });

  test('an alias bomb is refused quickly instead of expanded', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let level = 1; level < 9; level++) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const started = Date.now();
    const result = parseRepoConfig(`${levels.join('\n')}\n`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({
      config: DEFAULTS,
      problems: ["the file's YAML aliases expand too far (more than 100); write the values out instead"],
    });
  });

  test('a file over the size cap is not parsed', () => {
    const text = `model: gpt-4.1\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    const bytes = Buffer.byteLength(text);
    expect(parseRepoConfig(text)).toEqual({ config: DEFAULTS, problems: [`the file is too large (${bytes} bytes; at most 65536 are read)`] });
  });

  test('the size cap counts bytes, not characters', () => {
    // 30,000 three-byte characters: under the cap in characters, over it in bytes.
    const text = `# ${'€'.repeat(30_000)}\nmodel: gpt-4.1\n`;
    expect(text.length).toBeLessThan(MAX_CONFIG_BYTES);
    expect(parseRepoConfig(text).problems).toEqual([`the file is too large (${Buffer.byteLength(text)} bytes; at most 65536 are read)`]);
  });
});

describe('renderConfigProblems', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';

  test('names the file and short sha, lists each problem with its field in code, and explains the fallback', () => {
    const comment = renderConfigProblems(CONFIG_PATH, ['budgets.max_turns: must be at most 200 (got 1000)', 'the file is not valid YAML: bad (line 3, column 1)'], SHA);
    expect(comment).toBe(
      [
        '⚠️ The ticketsmith configuration in `.github/ticketsmith.yml` (at `0123456`) is invalid:',
        '',
        '- `budgets.max_turns`: must be at most 200 (got 1000)',
        '- the file is not valid YAML: bad (line 3, column 1)',
        '',
        'Until it is fixed, ticketsmith uses the defaults for the settings these problems affect; the valid settings still apply.',
      ].join('\n'),
    );
  });

  test('list indexes stay part of the field', () => {
    expect(renderConfigProblems(CONFIG_PATH, ['sandbox.allowed_commands[2]: must be a bare program name (got "sh")'], SHA)).toContain(
      '- `sandbox.allowed_commands[2]`: must be a bare program name (got "sh")',
    );
  });

  test('quoted config text cannot close code, inject HTML, ping people or link issues', () => {
    const parsed = parseRepoConfig('model: "`@octocat` <img src=x> #1 *bold* [x](http://e.vil) $x$"\n');
    const comment = renderConfigProblems(CONFIG_PATH, parsed.problems, SHA);
    const bullet = comment.split('\n').find((line) => line.startsWith('- '));
    expect(bullet).toBe(
      '- `model`: must be "\\<model\\>" or "\\<provider\\>:\\<model\\>" with the provider openai or anthropic, e.g. "anthropic:claude-sonnet-4-6" ' +
        '(got "\\`@\u200doctocat\\` \\<img src=x\\> #\u200d1 \\*bold\\* \\[x\\](http://e.vil) \\$x\\$")',
    );
    expect(comment).not.toMatch(/@octocat/);
    expect(comment).not.toMatch(/#1/);
  });

  test('a problem cannot add lines to the comment', () => {
    const comment = renderConfigProblems(CONFIG_PATH, ['model: bad\n\n## Approved\n- [x] merge'], SHA);
    expect(comment.split('\n')).toHaveLength(5);
    expect(comment).toContain('- `model`: bad #\u200d#\u200d Approved - \\[x\\] merge');
  });

  test('a path with backticks still renders as one code span', () => {
    expect(renderConfigProblems('we`ird.yml', ['x: y'], SHA)).toMatch(/^⚠️ The ticketsmith configuration in ``we`ird.yml`` \(at `0123456`\)/);
  });

  test('long lists and long problems are capped', () => {
    const problems = Array.from({ length: 25 }, (_, i) => `budgets.max_turns: problem ${i} ${'z'.repeat(400)}`);
    const bullets = renderConfigProblems(CONFIG_PATH, problems, SHA).split('\n').filter((line) => line.startsWith('- '));
    expect(bullets).toHaveLength(21);
    expect(bullets[20]).toBe('- …and 5 more');
    expect(bullets[0]!.length).toBeLessThan(360);
    expect(bullets[0]!.endsWith('…')).toBe(true);
  });
});
