import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { resolveInside } from './paths.ts';
import { ToolInputError, defineTool, outputBudget } from './tool.ts';

export const MAX_LINE_CHARS = 500;
/** Files above this are refused rather than loaded whole; search finds the part that matters. */
export const MAX_READ_BYTES = 20 * 1024 * 1024;
/** Room kept for the header and footer when fitting lines into the output budget. */
const FRAME_RESERVE = 300;

const input = z.strictObject({
  path: z.string().min(1).describe('File to read, relative to the repository root.'),
  start_line: z.number().int().min(1).default(1).describe('First line to show (1-based).'),
  window: z.number().int().min(1).max(2000).default(200).describe('How many lines to show.'),
});

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a window of lines from a text file, numbered like `  12| code`. The footer says how many lines lie above and ' +
    'below and which start_line continues. Very long lines are truncated; binary files are refused.',
  input,
  async run({ path: fileArg, start_line: start, window }, ctx) {
    const file = await resolveInside(ctx.root, fileArg);
    const info = await stat(file.absolute).catch(() => undefined);
    if (!info) throw new ToolInputError(`no such file: ${file.relative}`);
    if (info.isDirectory()) throw new ToolInputError(`${file.relative} is a directory; use list_files to see its contents`);
    if (info.size > MAX_READ_BYTES) {
      throw new ToolInputError(`${file.relative} is too large to read (${info.size.toLocaleString('en-US')} bytes); use search to find the relevant lines`);
    }
    const bytes = await readFile(file.absolute, { signal: ctx.signal });
    // git's heuristic: a NUL byte early on means binary.
    if (bytes.subarray(0, 8_000).includes(0)) throw new ToolInputError(`${file.relative} is a binary file and cannot be shown as text`);

    const text = bytes.toString('utf8');
    if (text === '') return `${file.relative} (empty file)`;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const total = lines.length;
    if (start > total) {
      throw new ToolInputError(`start_line ${start} is past the end of ${file.relative}, which has ${total} ${total === 1 ? 'line' : 'lines'}`);
    }

    const last = Math.min(total, start + window - 1);
    const width = String(last).length;
    // Lines are dropped from the end to fit the budget, rather than cut from the middle later,
    // so every line the model sees is real and the footer names the exact line to continue from.
    const budget = Math.max(outputBudget(ctx) - FRAME_RESERVE, 0);
    const body: string[] = [];
    let used = 0;
    let shownEnd = start - 1;
    for (let n = start; n <= last; n++) {
      const line = `${String(n).padStart(width + 2)}| ${truncateLine((lines[n - 1] ?? '').replace(/\r$/, ''))}`;
      if (body.length > 0 && used + line.length + 1 > budget) break;
      body.push(line);
      used += line.length + 1;
      shownEnd = n;
    }

    const above = start - 1;
    const below = total - shownEnd;
    const header = `${file.relative} (lines ${start}-${shownEnd} of ${total})`;
    let footer = `(${above} ${above === 1 ? 'line' : 'lines'} above, ${below} ${below === 1 ? 'line' : 'lines'} below`;
    if (shownEnd < last) footer += `; output budget reached, continue with start_line=${shownEnd + 1}`;
    else if (below > 0) footer += `; continue with start_line=${shownEnd + 1}`;
    footer += ')';
    return [header, ...body, footer].join('\n');
  },
});

function truncateLine(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [line truncated, ${(line.length - MAX_LINE_CHARS).toLocaleString('en-US')} more characters]`;
}
