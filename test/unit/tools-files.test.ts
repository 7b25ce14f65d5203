import { afterAll, beforeAll, describe, test, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { READ_ONLY_TOOLS } from '../../src/agent/tools/index.ts';
import { executeToolCall, type ToolContext } from '../../src/agent/tools/tool.ts';
import { globToRegExp } from '../../src/agent/tools/workspace-files.ts';

const exec = promisify(execFile);
let root: string;
let plain: string;

async function put(dir: string, file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

const call = (name: string, input: unknown, ctx: Partial<ToolContext> = {}) =>
  executeToolCall(READ_ONLY_TOOLS, { id: '1', name, input }, { root, ...ctx });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tools-files-'));
  plain = await mkdtemp(path.join(tmpdir(), 'tools-plain-'));
  await put(root, '.gitignore', 'node_modules/\ndist/\n*.log\n');
  await put(root, 'README.md', '# demo\n');
  await put(root, 'src/index.ts', 'export {};\n');
  await put(root, 'src/lib/util.ts', 'export const a = 1;\n');
  await put(root, 'src/lib/deep/er/x.ts', 'x\n');
  await put(root, 'src/lib/deep/er/y.test.ts', 'y\n');
  await put(root, 'node_modules/pkg/index.js', 'ignored\n');
  await put(root, 'dist/out.js', 'ignored\n');
  await put(root, 'debug.log', 'ignored\n');
  await put(root, 'numbers.txt', Array.from({ length: 913 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  await put(root, 'long-line.txt', `short\n${'z'.repeat(5_000)}\nend\n`);
  await writeFile(path.join(root, 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]));
  await put(root, 'crlf.txt', 'one\r\ntwo\r\n');
  await put(root, 'empty.txt', '');
  await exec('git', ['init', '-q'], { cwd: root });
  await exec('git', ['add', '-A'], { cwd: root });
  await exec('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init'], { cwd: root });
  // Untracked but not ignored: must still be listed.
  await put(root, 'src/new-file.ts', 'new\n');

  await put(plain, 'a.txt', 'a\n');
  await put(plain, 'sub/b.txt', 'b\n');
  await put(plain, '.git/config', 'not a real repo dir\n');
}, 30_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(plain, { recursive: true, force: true });
});

describe('list_files', () => {
  test('respects .gitignore and includes untracked files', async () => {
    const { content, isError } = await call('list_files', { depth: 10 });
    expect(isError).toBe(false);
    const lines = content.split('\n').slice(1);
    expect(lines).toContain('src/new-file.ts');
    expect(lines).toContain('.gitignore');
    expect(content).not.toMatch(/node_modules|dist\/|debug\.log/);
    expect(lines).toEqual([...lines].sort());
  });

  test('collapses directories below depth with a count', async () => {
    const { content } = await call('list_files', { path: 'src', depth: 2 });
    expect(content.split('\n')).toEqual([
      '5 files under src (depth 2):',
      'src/index.ts',
      'src/lib/deep/ (2 files below depth 2)',
      'src/lib/util.ts',
      'src/new-file.ts',
    ]);
  });

  test('filters by glob on names or on paths', async () => {
    const byName = await call('list_files', { glob: '*.test.ts', depth: 10 });
    expect(byName.content.split('\n').slice(1)).toEqual(['src/lib/deep/er/y.test.ts']);
    const byPath = await call('list_files', { path: 'src', glob: 'lib/**/*.ts', depth: 10 });
    expect(byPath.content.split('\n').slice(1)).toEqual(['src/lib/deep/er/x.ts', 'src/lib/deep/er/y.test.ts', 'src/lib/util.ts']);
    expect((await call('list_files', { glob: '*.py' })).content).toBe('No files matching "*.py" under the repository root.');
  });

  test('walks a non-repository directory, skipping .git', async () => {
    const { content } = await call('list_files', {}, { root: plain });
    expect(content.split('\n').slice(1)).toEqual(['a.txt', 'sub/b.txt']);
  });

  test('caps the number of entries and says how many were omitted', async () => {
    const many = await mkdtemp(path.join(tmpdir(), 'tools-many-'));
    try {
      await Promise.all(Array.from({ length: 620 }, (_, i) => put(many, `f${String(i).padStart(4, '0')}.txt`, '')));
      const { content } = await call('list_files', {}, { root: many, maxOutputChars: 100_000 });
      expect(content.split('\n').filter((l) => l.endsWith('.txt'))).toHaveLength(500);
      expect(content).toContain('[… 120 more entries omitted; narrow the listing with path, depth or glob]');
    } finally {
      await rm(many, { recursive: true, force: true });
    }
  });

  test('rejects a file path and a depth out of range', async () => {
    expect((await call('list_files', { path: 'README.md' })).content).toContain('is a file, not a directory');
    expect((await call('list_files', { depth: 11 })).content).toMatch(/- depth: .*<=10/);
  });
});

describe('globToRegExp', () => {
  test('translates *, **, ? and braces', () => {
    expect(globToRegExp('*.ts').test('a.ts')).toBe(true);
    expect(globToRegExp('*.ts').test('a/b.ts')).toBe(false);
    expect(globToRegExp('src/**/*.ts').test('src/a.ts')).toBe(true);
    expect(globToRegExp('src/**/*.ts').test('src/a/b/c.ts')).toBe(true);
    expect(globToRegExp('src/**').test('src/a/b')).toBe(true);
    expect(globToRegExp('?.md').test('a.md')).toBe(true);
    expect(globToRegExp('?.md').test('ab.md')).toBe(false);
    expect(globToRegExp('*.{ts,js}').test('x.js')).toBe(true);
    expect(globToRegExp('a+b(c).txt').test('a+b(c).txt')).toBe(true);
  });
});

describe('read_file', () => {
  test('shows a numbered window with header and above/below counts', async () => {
    const { content } = await call('read_file', { path: 'numbers.txt', start_line: 10, window: 3 });
    expect(content).toBe(
      'numbers.txt (lines 10-12 of 913)\n  10| line 10\n  11| line 11\n  12| line 12\n(9 lines above, 901 lines below; continue with start_line=13)',
    );
  });

  test('defaults to the first 200 lines', async () => {
    const { content } = await call('read_file', { path: 'numbers.txt' });
    const lines = content.split('\n');
    expect(lines[0]).toBe('numbers.txt (lines 1-200 of 913)');
    expect(lines[1]).toBe('    1| line 1');
    expect(lines.at(-1)).toBe('(0 lines above, 713 lines below; continue with start_line=201)');
  });

  test('a window running past the end stops at the last line', async () => {
    const { content } = await call('read_file', { path: 'numbers.txt', start_line: 912, window: 50 });
    expect(content.split('\n')).toEqual(['numbers.txt (lines 912-913 of 913)', '  912| line 912', '  913| line 913', '(911 lines above, 0 lines below)']);
    expect((await call('read_file', { path: 'numbers.txt', start_line: 914 })).content).toContain('past the end of numbers.txt, which has 913 lines');
  });

  test('truncates huge lines, strips CR and handles empty files', async () => {
    const long = (await call('read_file', { path: 'long-line.txt' })).content;
    expect(long).toContain('… [line truncated, 4,500 more characters]');
    expect(long).toContain('  3| end');
    expect((await call('read_file', { path: 'crlf.txt' })).content).toBe('crlf.txt (lines 1-2 of 2)\n  1| one\n  2| two\n(0 lines above, 0 lines below)');
    expect((await call('read_file', { path: 'empty.txt' })).content).toBe('empty.txt (empty file)');
  });

  test('refuses binary files, directories and missing files', async () => {
    expect((await call('read_file', { path: 'image.bin' })).content).toBe('Error: image.bin is a binary file and cannot be shown as text');
    expect((await call('read_file', { path: 'src' })).content).toContain('is a directory');
    expect((await call('read_file', { path: 'nope.ts' })).content).toBe('Error: no such file: nope.ts');
  });

  test('a 1 MB file read stays within the cap, keeping header and a precise continuation footer', async () => {
    const row = 'y'.repeat(499);
    await put(root, 'big.txt', Array.from({ length: 2_000 }, (_, i) => `${String(i + 1).padStart(5, '0')}${row}`).join('\n'));
    for (const cap of [8_000, 2_000]) {
      const { content, isError } = await call('read_file', { path: 'big.txt', window: 2_000 }, { maxOutputChars: cap });
      expect(isError).toBe(false);
      expect(content.length).toBeLessThanOrEqual(cap);
      const lines = content.split('\n');
      const shown = lines.length - 2;
      expect(lines[0]).toBe(`big.txt (lines 1-${shown} of 2000)`);
      expect(lines[1]).toMatch(/^\s+1\| 00001y/);
      expect(lines.at(-1)).toBe(`(0 lines above, ${2_000 - shown} lines below; output budget reached, continue with start_line=${shown + 1})`);
    }
  });
});
