// `npm start` as a user runs it: bad configuration stops start-up and names every bad variable.
import { expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = path.resolve('src/main.ts');

async function start(env: Record<string, string>, args: string[] = []) {
  // A scratch cwd, so no developer .env is picked up.
  const cwd = mkdtempSync(path.join(tmpdir(), 'ticketsmith-cli-'));
  try {
    await run(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', MAIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

test('invalid values stop start-up with each bad variable named', async () => {
  const result = await start({ PORT: 'eighty', DATABASE_URL: 'mysql://db/x', MODEL_PROVIDER: 'skynet', APP_ID: '12' });
  expect(result.code).toBe(2);
  for (const variable of ['PORT', 'DATABASE_URL', 'MODEL_PROVIDER']) expect(result.stderr).toContain(variable);
  expect(result.stderr).toContain('.env.example');
});

test('a missing private key for a configured app is named', async () => {
  const result = await start({ APP_ID: '12', WEBHOOK_SECRET: 'x'.repeat(20) });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('PRIVATE_KEY');
});

test('an unknown role is refused', async () => {
  const result = await start({}, ['--role', 'everything']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--role');
});
