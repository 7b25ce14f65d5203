// SANDBOX=none contains nothing, but still runs with the allow-listed environment, in the
// workspace, under the resource limits.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoSandbox } from '../../src/sandbox/none.ts';

let workspace: string;
beforeAll(() => {
  workspace = realpathSync(mkdtempSync(join(tmpdir(), 'nosandbox-')));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('NoSandbox', () => {
  test('the worker environment does not leak, the workspace is the cwd and HOME, limits apply', async () => {
    process.env.TS_CANARY_TOKEN = 'ghs_canary_should_not_leak';
    try {
      const result = await new NoSandbox().run({ argv: ['sh', '-c', 'pwd; echo "home=$HOME"; env; ulimit -t'], workspace, cwd: '.', timeoutMs: 5000, cpuSeconds: 7 });
      expect(result.exitCode).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toBe(workspace);
      expect(lines).toContain(`home=${workspace}/.home`);
      expect(lines.at(-1)).toBe('7');
      expect(result.stdout).not.toContain('ghs_canary_should_not_leak');
    } finally {
      delete process.env.TS_CANARY_TOKEN;
    }
  });

  test('a cwd outside the workspace is refused', async () => {
    expect(() => new NoSandbox().run({ argv: ['true'], workspace, cwd: '../..', timeoutMs: 1000 })).toThrow(/inside the workspace/);
  });

  test('a timeout kills the program and says so', async () => {
    const result = await new NoSandbox().run({ argv: ['sleep', '30'], workspace, timeoutMs: 300 });
    expect([result.timedOut, result.signal]).toEqual([true, 'SIGKILL']);
    expect(result.durationMs).toBeLessThan(5000);
  });
});
