import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { gitError, isGitWorkTree, runGit } from './git.ts';
import { resolveInside } from './paths.ts';
import { ToolInputError, defineTool } from './tool.ts';

const MAX_MATCH_CHARS = 300;

const input = z.strictObject({
  query: z.string().min(1).describe('Text to search for (a fixed string unless regex is true).'),
  path: z.string().optional().describe('Limit the search to this file or directory, relative to the repository root.'),
  regex: z.boolean().default(false).describe('Treat query as a POSIX extended regular expression.'),
  max_results: z.number().int().min(1).max(500).default(100).describe('Maximum number of matching lines to return.'),
});

export const searchTool = defineTool({
  name: 'search',
  description:
    'Search file contents (case-sensitive, like git grep; ignored and binary files are skipped). ' +
    'Returns matching lines as `file:line: text`. If there are too many matches, narrow the query or the path.',
  input,
  async run({ query, path: pathArg, regex, max_results: maxResults }, ctx) {
    if (query.includes('\n')) throw new ToolInputError('query must be a single line; search matches one line at a time');
    const scope = pathArg === undefined ? undefined : await resolveInside(ctx.root, pathArg);
    if (scope && !(await stat(scope.absolute).catch(() => undefined))) throw new ToolInputError(`no such file or directory: ${scope.relative}`);

    const inRepo = await isGitWorkTree(ctx.root, ctx.signal);
    // --untracked matches list_files: new files count, ignored ones do not. Outside a repository
    // --no-index still gives git grep's binary detection and output format.
    const args = ['-c', 'core.quotePath=false', 'grep', inRepo ? '--untracked' : '--no-index', '-n', '-I', '-z', '--no-color'];
    args.push(regex ? '-E' : '-F', '-e', query, '--');
    // literal pathspec: a path containing * or : is a name here, not git pathspec magic.
    if (scope && scope.relative !== '.') args.push(`:(literal)${scope.relative}`);

    const shown: string[] = [];
    let total = 0;
    const files = new Set<string>();
    const run = await runGit(
      args,
      ctx.root,
      (record) => {
        const [file, line, ...rest] = record.split('\0');
        if (file === undefined || line === undefined) return;
        total++;
        files.add(file);
        if (shown.length < maxResults) shown.push(`${file}:${line}: ${truncate(rest.join('\0').trim())}`);
      },
      { signal: ctx.signal },
    );
    // git grep exits 1 for "no matches"; anything else non-zero is a real failure (often a bad regex).
    if (run.code === 1 && total === 0) return `No matches for ${JSON.stringify(query)}${scope ? ` in ${scope.relative}` : ''}.`;
    if (run.code !== 0) {
      const reason = gitError(run.stderr);
      throw regex ? new ToolInputError(`invalid search: ${reason}`) : new Error(`search failed: ${reason}`);
    }

    const summary = `${total} ${total === 1 ? 'match' : 'matches'} in ${files.size} ${files.size === 1 ? 'file' : 'files'}`;
    if (total <= maxResults) return [`${summary}:`, ...shown].join('\n');
    return [
      `${summary}; showing the first ${shown.length}:`,
      ...shown,
      `[… ${total - shown.length} more matches not shown. The query matched ${total} lines in total: narrow it with a more specific query or a path.]`,
    ].join('\n');
  },
});

function truncate(text: string): string {
  return text.length <= MAX_MATCH_CHARS ? text : `${text.slice(0, MAX_MATCH_CHARS)}… [line truncated]`;
}
