import { afterAll, beforeAll, describe, test, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { READ_ONLY_TOOLS } from '../../src/agent/tools/index.ts';
import { executeToolCall, type ToolContext } from '../../src/agent/tools/tool.ts';

const exec = promisify(execFile);
const temps: string[] = [];
let root: string;

async function put(dir: string, file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

async function gitRepo(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tools-search-'));
  temps.push(dir);
  for (const [file, content] of Object.entries(files)) await put(dir, file, content);
  await exec('git', ['init', '-q'], { cwd: dir });
  await exec('git', ['add', '-A'], { cwd: dir });
  await exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init'], { cwd: dir });
  return dir;
}

const call = (name: string, input: unknown, ctx: Partial<ToolContext> = {}) =>
  executeToolCall(READ_ONLY_TOOLS, { id: '1', name, input }, { root, ...ctx });

beforeAll(async () => {
  root = await gitRepo({
    '.gitignore': 'build/\n',
    'src/a.ts': 'const foo = 1;\nconst fooBar = 2;\n// a.b literal\n',
    'src/b.ts': 'function foo() {}\nexport { foo };\n',
    'docs/notes.md': 'foo appears in docs\naxb is not a.b\n',
    'build/gen.ts': 'foo foo foo\n',
    'many.txt': Array.from({ length: 250 }, (_, i) => `needle ${i}`).join('\n'),
  });
  await put(root, 'src/untracked.ts', 'foo untracked\n');
  await writeFile(path.join(root, 'blob.bin'), Buffer.concat([Buffer.from('foo'), Buffer.from([0, 1, 2])]));
  const outside = await mkdtemp(path.join(tmpdir(), 'tools-outside-'));
  temps.push(outside);
  await put(outside, 'secret.txt', 'foo secret\n');
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
}, 30_000);

afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('search', () => {
  test('returns file:line: text, skipping ignored, binary and symlinked-out files', async () => {
    const { content, isError } = await call('search', { query: 'foo' });
    expect(isError).toBe(false);
    const lines = content.split('\n');
    expect(lines[0]).toBe('6 matches in 4 files:');
    expect(lines).toContain('src/a.ts:1: const foo = 1;');
    expect(lines).toContain('src/b.ts:2: export { foo };');
    expect(lines).toContain('src/untracked.ts:1: foo untracked');
    expect(content).not.toMatch(/build\/|blob\.bin|secret/);
  });

  test('fixed strings are literal; regex mode interprets the pattern', async () => {
    const fixed = await call('search', { query: 'a.b' });
    expect(fixed.content.split('\n').slice(1)).toEqual(['docs/notes.md:2: axb is not a.b', 'src/a.ts:3: // a.b literal']);
    const regex = await call('search', { query: 'a.b', regex: true });
    expect(regex.content).toContain('docs/notes.md:2: axb is not a.b');
    expect(regex.content).toContain('src/a.ts:3: // a.b literal');
    const anchored = await call('search', { query: '^const foo(Bar)? =', regex: true });
    expect(anchored.content.split('\n').slice(1)).toEqual(['src/a.ts:1: const foo = 1;', 'src/a.ts:2: const fooBar = 2;']);
    expect((await call('search', { query: '(' })).content).toBe('1 match in 1 file:\nsrc/b.ts:1: function foo() {}');
  });

  test('an invalid regex is reported as the model\'s error', async () => {
    const result = await call('search', { query: 'foo(', regex: true });
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/^Error: invalid search: /);
  });

  test('limits to a path', async () => {
    const { content } = await call('search', { query: 'foo', path: 'docs' });
    expect(content).toBe('1 match in 1 file:\ndocs/notes.md:1: foo appears in docs');
    expect((await call('search', { query: 'foo', path: 'missing' })).content).toBe('Error: no such file or directory: missing');
  });

  test('caps results and asks the model to narrow the query, naming the total', async () => {
    const { content } = await call('search', { query: 'needle', max_results: 20 });
    const lines = content.split('\n');
    expect(lines[0]).toBe('250 matches in 1 file; showing the first 20:');
    expect(lines.filter((l) => l.startsWith('many.txt:'))).toHaveLength(20);
    expect(lines.at(-1)).toBe('[… 230 more matches not shown. The query matched 250 lines in total: narrow it with a more specific query or a path.]');
  });

  test('reports no matches plainly and rejects multi-line queries', async () => {
    expect((await call('search', { query: 'zzz-not-here' })).content).toBe('No matches for "zzz-not-here".');
    expect((await call('search', { query: 'a\nb' })).isError).toBe(true);
  });

  test('a query starting with a dash is searched, not parsed as an option', async () => {
    const dir = await gitRepo({ 'x.txt': 'use --force here\n' });
    expect((await call('search', { query: '--force' }, { root: dir })).content).toBe('1 match in 1 file:\nx.txt:1: use --force here');
  });
});

describe('repo_overview', () => {
  test('detects npm test and pytest in a repository that has both', async () => {
    const dir = await gitRepo({
      'package.json': JSON.stringify({ name: 'hybrid', scripts: { test: 'jest', build: 'tsc' } }),
      'pyproject.toml': '[project]\nname = "hybrid-py"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
      'tests/test_app.py': 'def test_ok():\n    assert True\n',
      'src/index.ts': 'export {};\n',
      'src/app.py': 'print(1)\n',
      'Makefile': '.PHONY: test\nCC := gcc\ntest:\n\tpytest\nlint: test\n\truff .\n',
      'requirements.txt': '# deps\nrequests>=2\nflask==3.0\n',
    });
    const { content, isError } = await call('repo_overview', {}, { root: dir });
    expect(isError).toBe(false);
    expect(content).toContain('- npm test   (package.json: jest)');
    expect(content).toContain('- pytest   (pyproject.toml)');
    expect(content).toContain('- make test   (Makefile)');
    expect(content).toContain('- package.json: name hybrid');
    expect(content).toContain('  script build: tsc');
    expect(content).toContain('- pyproject.toml: name hybrid-py, pytest configured');
    expect(content).toContain('- Makefile: targets test, lint');
    expect(content).toContain('- requirements.txt: 2 requirements (requests, flask)');
    expect(content).toMatch(/Languages \(files by extension\):\n- Python 2, /);
    expect(content).toContain('src/ (2 files)\n  app.py\n  index.ts');
  });

  test('detects go, cargo and a tests directory; ignores npm\'s placeholder test script', async () => {
    const dir = await gitRepo({
      'package.json': JSON.stringify({ name: 'x', scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
      'go.mod': 'module example.com/thing\n\ngo 1.22\n',
      'Cargo.toml': '[package]\nname = "crab"\n',
      'tests/test_thing.py': '',
    });
    const { content } = await call('repo_overview', {}, { root: dir });
    expect(content).not.toContain('npm test');
    expect(content).toContain('- go test ./...   (go.mod)');
    expect(content).toContain('- cargo test   (Cargo.toml)');
    expect(content).toContain('- pytest   (tests directory)');
    expect(content).toContain('- go.mod: module example.com/thing, go 1.22');
    expect(content).toContain('- Cargo.toml: package crab');
  });

  test('stays within the output budget on a large tree, keeping the test commands', async () => {
    const files: Record<string, string> = { 'package.json': JSON.stringify({ name: 'big', scripts: { test: 'vitest' } }) };
    for (let d = 0; d < 60; d++) for (let f = 0; f < 20; f++) files[`dir-with-a-long-name-${d}/sub-${f}/file.ts`] = '';
    const dir = await gitRepo(files);
    for (const cap of [8_000, 1_500]) {
      const { content } = await call('repo_overview', {}, { root: dir, maxOutputChars: cap });
      expect(content.length).toBeLessThanOrEqual(cap);
      expect(content).toContain('- npm test   (package.json: vitest)');
      expect(content).toMatch(/more tree lines omitted; use list_files to explore$/);
      expect(content).not.toContain('characters omitted');
    }
  });
});
