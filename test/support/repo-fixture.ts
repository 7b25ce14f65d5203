// The repository a ticket's webhook points at: a real bare repo served over git's smart HTTP,
// which accepts only the installation token the fake GitHub hands out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCommit, createRepo, pushBranch, startGitServer, type GitServer } from './git-server.ts';
import { OWNER, REPO } from './github-fixtures.ts';
import { INSTALLATION_TOKEN } from './harness.ts';

export const SAMPLE_FILES: Record<string, string> = {
  'README.md': '# Hello World\n\nRun `npm test` to committ your changes.\n',
  'package.json': JSON.stringify({ name: 'hello-world', scripts: { test: 'node --test' } }, null, 2) + '\n',
  'src/greet.js': ['// Greets people.', 'export function greet(name) {', '  if (!name) throw new Error("name required");', '  return `Hello, ${name}!`;', '}', ''].join('\n'),
  'test/greet.test.js': ["import { greet } from '../src/greet.js';", "import assert from 'node:assert';", "assert.equal(greet('a'), 'Hello, a!');", ''].join('\n'),
};

export interface RepoFixture {
  cloneUrl: string;
  /** The sha of main's first commit. */
  sha: string;
  server: GitServer;
  push(files: Record<string, string>, message: string): Promise<string>;
  /** Someone pushes `branch` (from main) with these files over authenticated HTTP; returns its sha. */
  pushBranch(branch: string, files: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

export async function startRepoFixture(files: Record<string, string> = SAMPLE_FILES, name = `${OWNER}/${REPO}`): Promise<RepoFixture> {
  const root = await mkdtemp(join(tmpdir(), 'ticketsmith-repos-'));
  const sha = await createRepo(root, name, files);
  const server = await startGitServer(root, { requireToken: INSTALLATION_TOKEN });
  return {
    cloneUrl: `${server.url}/${name}.git`,
    sha,
    server,
    push: (more, message) => addCommit(root, name, more, message),
    pushBranch: (branch, files) => pushBranch(`${server.url}/${name}.git`, branch, files, INSTALLATION_TOKEN),
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
