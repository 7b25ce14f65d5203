import { describe, expect, test } from '@jest/globals';
import { bwrapArgs, sandboxCwd, type HostLayout } from '../../src/sandbox/bwrap-args.ts';
import { HeadTailCapture } from '../../src/sandbox/output-capture.ts';

const host: HostLayout = {
  symlinks: { '/bin': 'usr/bin', '/lib': 'usr/lib', '/lib64': 'usr/lib64' },
  directories: ['/usr', '/opt'],
  etc: ['/etc/ssl', '/etc/passwd', '/etc/resolv.conf'],
};
const request = { argv: ['npm', 'test'], workspace: '/data/tickets/o/r/1', timeoutMs: 1000 };
const pairs = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [`${args[i + 1]} ${args[i + 2]}`] : []));

describe('bwrapArgs', () => {
  test('fresh namespaces without network, no capabilities, no nested user namespaces', () => {
    const args = bwrapArgs(request, host);
    expect(args.slice(0, 7)).toEqual(['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--cap-drop', 'ALL']);
    expect(args).not.toContain('--share-net');
    expect(args).toContain('--remount-ro');
  });

  test('the system is read-only, merged-/usr links are recreated, only the workspace is writable', () => {
    const args = bwrapArgs(request, host);
    expect(pairs(args, '--ro-bind')).toEqual(['/usr /usr', '/opt /opt', '/etc/ssl /etc/ssl', '/etc/passwd /etc/passwd']);
    expect(pairs(args, '--symlink')).toEqual(['usr/bin /bin', 'usr/lib /lib', 'usr/lib64 /lib64']);
    expect(pairs(args, '--bind')).toEqual(['/data/tickets/o/r/1 /workspace']);
  });

  test('DNS configuration appears only with the network', () => {
    const args = bwrapArgs({ ...request, network: true }, host);
    expect(args).toContain('--share-net');
    expect(pairs(args, '--ro-bind')).toContain('/etc/resolv.conf /etc/resolv.conf');
    expect(pairs(bwrapArgs(request, host), '--ro-bind')).not.toContain('/etc/resolv.conf /etc/resolv.conf');
  });

  test('the environment is cleared and rebuilt from the allow-list plus the request', () => {
    const args = bwrapArgs({ ...request, env: { NODE_ENV: 'test' } }, host);
    const clear = args.indexOf('--clearenv');
    expect(clear).toBeGreaterThan(0);
    const set = pairs(args, '--setenv');
    expect(set).toContain('HOME /workspace/.home');
    expect(set).toContain('NODE_ENV test');
    expect(set.every((entry) => !/TOKEN|KEY|DATABASE/.test(entry))).toBe(true);
    expect(args.slice(-3)).toEqual(['--', 'npm', 'test']);
  });

  test('bad variable names and empty argv are refused', () => {
    expect(() => bwrapArgs({ ...request, env: { 'A=B': 'x' } }, host)).toThrow(/not a valid variable name/);
    expect(() => bwrapArgs({ ...request, argv: [] }, host)).toThrow(/argv/);
  });
});

describe('sandboxCwd', () => {
  test.each([
    [undefined, '/workspace'],
    ['.', '/workspace'],
    ['packages/app', '/workspace/packages/app'],
    ['a/../b', '/workspace/b'],
  ])('%j → %s', (cwd, expected) => {
    expect(sandboxCwd(cwd)).toBe(expected);
  });
  test.each(['..', '../x', '/etc', 'a/../../x'])('%j is refused', (cwd) => {
    expect(() => sandboxCwd(cwd)).toThrow(/inside the workspace/);
  });
});

describe('HeadTailCapture', () => {
  test('keeps everything under the cap', () => {
    const capture = new HeadTailCapture(100);
    capture.write(Buffer.from('hello '));
    capture.write(Buffer.from('world'));
    expect([capture.text(), capture.totalBytes]).toEqual(['hello world', 11]);
  });

  test('keeps the head and the tail of a flood, and counts what it dropped', () => {
    const capture = new HeadTailCapture(10);
    capture.write(Buffer.from('ABCDE'));
    for (let i = 0; i < 1000; i += 1) capture.write(Buffer.from('x'.repeat(100)));
    capture.write(Buffer.from('VWXYZ'));
    expect(capture.totalBytes).toBe(100_010);
    expect(capture.text()).toBe('ABCDE\n[… 100,000 bytes omitted …]\nVWXYZ');
  });

  test('one huge chunk is cut, not copied whole', () => {
    const capture = new HeadTailCapture(8);
    capture.write(Buffer.alloc(50_000_000, 0x61));
    expect(capture.text()).toBe('aaaa\n[… 49,999,992 bytes omitted …]\naaaa');
  });
});
