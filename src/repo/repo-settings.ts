// A repository's settings (.github/ticketsmith.yml) and agent instructions (AGENTS.md or
// CLAUDE.md), read from one commit of the bare mirror. Callers pass the default branch's fetched
// sha, never a ticket branch or a PR head: whoever can push a branch could otherwise widen the
// sandbox, raise the budgets or rewrite the agent's instructions for their own run.
import path from 'node:path';
import { z } from 'zod';
import { classifyGitFailure, WorkspaceError } from '../workspace/errors.ts';
import { GitError, runGit } from '../workspace/git-cli.ts';
import { CONFIG_PATH, MAX_CONFIG_BYTES, configTooLargeProblem, parseRepoConfig, type RepoConfig } from './repo-config.ts';

export interface RepoInstructions {
  path: 'AGENTS.md' | 'CLAUDE.md';
  text: string;
  truncated: boolean;
}

export interface RepoSettings {
  /** The commit everything here was read from. */
  sha: string;
  config: RepoConfig;
  problems: string[];
  configFound: boolean;
  instructions?: RepoInstructions;
}

// First match wins: AGENTS.md is the tool-neutral convention, CLAUDE.md the older fallback.
const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'] as const;
// Symlinks (120000) could point anywhere and submodules (160000) are not ours to read.
const REGULAR_FILE_MODES: ReadonlySet<string> = new Set(['100644', '100755']);
// Bigger than any honest instructions file, small enough to hold in memory before truncating.
const MAX_INSTRUCTION_BYTES = 8 * 1024 * 1024;

const ArgumentsSchema = z.object({
  gitDir: z.string().min(1, 'must not be empty').refine((dir) => path.isAbsolute(dir), 'must be an absolute path'),
  sha: z
    .string()
    .regex(/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'must be a full commit sha (40 or 64 hexadecimal characters)')
    .transform((sha) => sha.toLowerCase()),
  maxInstructionChars: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000').default(20_000),
});

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number | undefined;
}

export async function readRepoSettings(gitDir: string, sha: string, options: { maxInstructionChars?: number } = {}): Promise<RepoSettings> {
  const parsed = ArgumentsSchema.safeParse({ gitDir, sha, ...options });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkspaceError('invalid_input', `Cannot read repository settings: ${issue?.path.join('.') || 'arguments'}: ${issue?.message ?? 'invalid'}.`);
  }
  const args = parsed.data;
  const entries = await listEntries(args.gitDir, args.sha, [CONFIG_PATH, ...INSTRUCTION_FILES]);
  const { config, problems, configFound } = await readConfig(args.gitDir, entries.get(CONFIG_PATH));
  const instructions = await readInstructions(args.gitDir, entries, args.maxInstructionChars);
  return { sha: args.sha, config, problems, configFound, ...(instructions ? { instructions } : {}) };
}

async function readConfig(gitDir: string, entry: TreeEntry | undefined): Promise<{ config: RepoConfig; problems: string[]; configFound: boolean }> {
  if (!entry) return { ...parseRepoConfig(undefined), configFound: false };
  if (!isRegularFile(entry)) {
    const kind = entry.mode === '120000' ? 'a symbolic link' : entry.type === 'tree' ? 'a directory' : 'not a regular file';
    const problem = `${CONFIG_PATH} is ${kind}; ticketsmith only reads a regular file there, so every setting has its default`;
    return { ...parseRepoConfig(undefined), problems: [problem], configFound: false };
  }
  if (entry.size !== undefined && entry.size > MAX_CONFIG_BYTES) {
    return { ...parseRepoConfig(undefined), problems: [configTooLargeProblem(entry.size)], configFound: true };
  }
  return { ...parseRepoConfig(await readBlob(gitDir, entry.object)), configFound: true };
}

async function readInstructions(gitDir: string, entries: Map<string, TreeEntry>, maxChars: number): Promise<RepoInstructions | undefined> {
  for (const file of INSTRUCTION_FILES) {
    const entry = entries.get(file);
    if (!entry || !isRegularFile(entry)) continue;
    if (entry.size !== undefined && entry.size > MAX_INSTRUCTION_BYTES) {
      return { path: file, text: `[${file} is ${entry.size} bytes, too large to read; ticketsmith reads at most ${MAX_INSTRUCTION_BYTES}]`, truncated: true };
    }
    const text = await readBlob(gitDir, entry.object);
    // An empty or binary file says nothing to the agent; let the next candidate speak instead.
    if (text.trim() === '' || text.includes('\0')) continue;
    return capInstructions(file, text, maxChars);
  }
  return undefined;
}

/** Keeps the head (instructions lead with what matters most) and says how much was cut. */
function capInstructions(file: RepoInstructions['path'], text: string, maxChars: number): RepoInstructions {
  if (text.length <= maxChars) return { path: file, text, truncated: false };
  const marker = `\n\n[… ${file} is cut here: it has ${text.length} characters and at most ${maxChars} are included …]`;
  if (marker.length >= maxChars) return { path: file, text: text.slice(0, maxChars), truncated: true };
  let keep = maxChars - marker.length;
  // Ending on a line break reads better, unless that would throw away much of the budget.
  const lineEnd = text.lastIndexOf('\n', keep);
  if (lineEnd > keep * 0.8) keep = lineEnd;
  // Never split a surrogate pair into a lone half.
  const code = text.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep -= 1;
  return { path: file, text: text.slice(0, keep).trimEnd() + marker, truncated: true };
}

function isRegularFile(entry: TreeEntry): boolean {
  return entry.type === 'blob' && REGULAR_FILE_MODES.has(entry.mode);
}

// One ls-tree answers "is it there, what kind of entry, how big" for every path at once, and tells
// a missing file (no line) from a failure (an error).
async function listEntries(gitDir: string, sha: string, paths: readonly string[]): Promise<Map<string, TreeEntry>> {
  // `^{commit}` refuses a tree or blob sha: settings belong to a commit of the default branch.
  const { stdout } = await git(gitDir, ['ls-tree', '-l', '-z', `${sha}^{commit}`, '--', ...paths], sha);
  const entries = new Map<string, TreeEntry>();
  for (const record of stdout.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]+)$/.exec(record);
    if (!match) continue;
    const [, mode = '', type = '', object = '', size = '-', entryPath = ''] = match;
    // Pathspecs can match more than the exact path (e.g. a directory's contents); only exact paths count.
    if (!paths.includes(entryPath)) continue;
    entries.set(entryPath, { mode, type, object, size: size === '-' ? undefined : Number(size) });
  }
  return entries;
}

async function readBlob(gitDir: string, object: string): Promise<string> {
  const { stdout } = await git(gitDir, ['cat-file', 'blob', object], object);
  return stdout.replace(/^\uFEFF/, '');
}

async function git(gitDir: string, args: string[], revision: string): Promise<{ stdout: string }> {
  try {
    // GIT_DIR, not discovery: a wrong path must fail, not silently read whatever repository encloses it.
    return await runGit(args, { cwd: gitDir, env: { GIT_DIR: gitDir }, timeoutMs: 60_000 });
  } catch (error) {
    if (error instanceof GitError && /Not a valid object name|not a tree object|expected commit type|bad object/i.test(error.stderr)) {
      throw new WorkspaceError('invalid_input', `The commit ${revision.slice(0, 12)} is not in the repository mirror.`, { cause: error });
    }
    throw classifyGitFailure(error, 'the repository mirror', 'read the settings from');
  }
}
