import { afterAll, beforeAll, describe, test, expect } from '@jest/globals';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { READ_ONLY_TOOLS } from '../../src/agent/tools/index.ts';
import { resolveInside } from '../../src/agent/tools/paths.ts';
import { executeToolCall } from '../../src/agent/tools/tool.ts';

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tools-paths-'));
  root = path.join(base, 'workspace');
  outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'docs'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET\n');
  await writeFile(path.join(root, 'docs', 'guide.md'), '# Guide\nhello\n');
  await symlink(outside, path.join(root, 'docs', 'link'));
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
  await symlink('guide.md', path.join(root, 'docs', 'alias.md'));
  await symlink('docs', path.join(root, 'docs-alias'));
  await symlink(path.join(outside, 'missing'), path.join(root, 'dangling'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('resolveInside', () => {
  test('resolves ordinary relative paths', async () => {
    expect(await resolveInside(root, 'docs/guide.md')).toEqual({ absolute: path.join(root, 'docs/guide.md'), relative: 'docs/guide.md' });
    expect((await resolveInside(root, '')).relative).toBe('.');
    expect((await resolveInside(root, './docs/../docs/')).relative).toBe('docs');
  });

  test('refuses .. traversal out of the root', async () => {
    await expect(resolveInside(root, '../../etc/passwd')).rejects.toThrow('path escapes the workspace via "..": ../../etc/passwd');
    await expect(resolveInside(root, 'docs/../../outside')).rejects.toThrow(/escapes the workspace/);
  });

  test('refuses absolute paths', async () => {
    await expect(resolveInside(root, '/etc/passwd')).rejects.toThrow('path must be relative to the workspace root, got an absolute path: /etc/passwd');
    await expect(resolveInside(root, '~/.ssh/id_rsa')).rejects.toThrow(/absolute path/);
  });

  test('refuses a symlinked directory that points outside, naming the link', async () => {
    await expect(resolveInside(root, 'docs/link/secret.txt')).rejects.toThrow(`path escapes the workspace via a symlink: docs/link -> ${outside}`);
    await expect(resolveInside(root, 'docs/link')).rejects.toThrow(/via a symlink: docs\/link ->/);
  });

  test('refuses a symlinked file that points outside and a dangling link out', async () => {
    await expect(resolveInside(root, 'leak.txt')).rejects.toThrow(/via a symlink: leak\.txt ->/);
    await expect(resolveInside(root, 'dangling/new-file')).rejects.toThrow(/via a symlink: dangling ->/);
  });

  test('allows symlinks that stay inside the workspace', async () => {
    expect((await resolveInside(root, 'docs/alias.md')).relative).toBe('docs/alias.md');
    expect((await resolveInside(root, 'docs-alias/guide.md')).relative).toBe('docs-alias/guide.md');
  });

  test('allows paths that do not exist yet', async () => {
    expect((await resolveInside(root, 'docs/new/file.md')).relative).toBe('docs/new/file.md');
  });
});

describe('tools refuse escapes', () => {
  const call = (name: string, input: unknown) => executeToolCall(READ_ONLY_TOOLS, { id: '1', name, input }, { root });

  test('read_file refuses traversal, absolute paths and outward symlinks, and reads inward ones', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'docs/link/secret.txt', 'leak.txt']) {
      const result = await call('read_file', { path: p });
      expect(result.isError).toBe(true);
      expect(result.content).not.toContain('TOP SECRET');
    }
    expect((await call('read_file', { path: 'leak.txt' })).content).toContain('via a symlink: leak.txt ->');
    const inside = await call('read_file', { path: 'docs/alias.md' });
    expect(inside).toEqual({ content: 'docs/alias.md (lines 1-2 of 2)\n  1| # Guide\n  2| hello\n(0 lines above, 0 lines below)', isError: false });
  });

  test('list_files and search refuse paths outside', async () => {
    expect((await call('list_files', { path: 'docs/link' })).content).toMatch(/via a symlink/);
    expect((await call('search', { query: 'SECRET', path: '../outside' })).content).toMatch(/escapes the workspace/);
  });

  test('search does not follow a symlink out of the workspace', async () => {
    const result = await call('search', { query: 'TOP SECRET' });
    expect(result.content).not.toContain('TOP SECRET\n');
    expect(result.content).toMatch(/^No matches/);
  });
});
