import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { resolveInside } from './paths.ts';
import { ToolInputError, defineTool } from './tool.ts';
import { globMatcher, listWorkspaceFiles } from './workspace-files.ts';

export const MAX_LIST_ENTRIES = 500;

const input = z.strictObject({
  path: z.string().default('.').describe('Directory to list, relative to the repository root.'),
  depth: z.number().int().min(1).max(10).default(3).describe('How many directory levels below `path` to show; deeper files are summarised per directory.'),
  glob: z
    .string()
    .optional()
    .describe('Only files matching this glob (*, **, ?, {a,b}). Without a slash it matches file names at any depth, e.g. "*.ts"; with one it matches paths relative to `path`, e.g. "src/**/*.test.ts".'),
});

export const listFilesTool = defineTool({
  name: 'list_files',
  description:
    'List files in the repository (ignored files such as node_modules and build output are skipped). ' +
    'Directories beyond `depth` are shown once with a file count. Paths in the result are relative to the repository root.',
  input,
  async run({ path: dirArg, depth, glob }, ctx) {
    const dir = await resolveInside(ctx.root, dirArg);
    const info = await stat(dir.absolute).catch(() => undefined);
    if (!info) throw new ToolInputError(`no such directory: ${dir.relative}`);
    if (!info.isDirectory()) throw new ToolInputError(`${dir.relative} is a file, not a directory; use read_file to read it`);

    let files = await listWorkspaceFiles(dir.absolute, ctx.signal);
    if (glob !== undefined) files = files.filter(globMatcher(glob));
    const prefix = dir.relative === '.' ? '' : `${dir.relative}/`;

    // Files deeper than `depth` collapse into their ancestor directory at that depth, with a count.
    const entries: string[] = [];
    const collapsed = new Map<string, number>();
    for (const file of files) {
      const segments = file.split('/');
      if (segments.length <= depth) {
        entries.push(prefix + file);
        continue;
      }
      const folder = `${prefix}${segments.slice(0, depth).join('/')}/`;
      const count = collapsed.get(folder);
      if (count === undefined) entries.push(folder);
      collapsed.set(folder, (count ?? 0) + 1);
    }

    const where = dir.relative === '.' ? 'the repository root' : dir.relative;
    const filter = glob === undefined ? '' : ` matching "${glob}"`;
    if (entries.length === 0) return `No files${filter} under ${where}.`;
    const shown = entries.slice(0, MAX_LIST_ENTRIES).map((entry) => {
      const count = collapsed.get(entry);
      return count === undefined ? entry : `${entry} (${count} ${count === 1 ? 'file' : 'files'} below depth ${depth})`;
    });
    const lines = [`${files.length} ${files.length === 1 ? 'file' : 'files'}${filter} under ${where} (depth ${depth}):`, ...shown];
    const omitted = entries.length - shown.length;
    if (omitted > 0) lines.push(`[… ${omitted} more entries omitted; narrow the listing with path, depth or glob]`);
    return lines.join('\n');
  },
});
