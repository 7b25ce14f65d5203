// Finds the command a user typed in an issue comment. Pure: no I/O, no GitHub types.
//
// The rule of thumb is "only what a reader sees as a command, at the start of a line, is one".
// Quoted, fenced, indented-code and HTML-commented text is what people paste from earlier
// comments, logs and templates, so it must never start a (possibly expensive) run.
//
// Decisions beyond CommonMark basics, kept deliberately simple and predictable:
// - A trigger must be followed by whitespace or the end of the line. Anything else (`@dev,`,
//   `@dev.`, `@dev:`, `@dev-team`, `@dev/ops`) is not a command: those are real handles/teams.
// - Only lines that themselves start with `>` count as quoted (no "lazy continuation"), so
//   `> quoted text` directly followed by `@dev do it` still triggers.
// - Quoted lines do not open or close fences or HTML comments for the lines after them,
//   because CommonMark closes those blocks when the quote ends.
// - An unclosed `<!--` hides everything after it, like an unclosed fence: a missed command
//   is cheaper than a surprise run.
// - A fence may follow list markers (`- ```` or `1. ````), so code inside list items is
//   hidden too; its closing fence may be indented by the list content width plus 3.
// - args are the comment text verbatim from after the trigger (trimmed), HTML comments and
//   code included: the user's question is theirs to shape.
import { z } from 'zod';

export const COMMAND_NAMES = ['chat', 'make_plan', 'dev', 'help', 'cancel'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
export const CommandNameSchema = z.enum(COMMAND_NAMES);

export interface ParsedCommand {
  name: CommandName;
  args: string;
}

export interface ParseOptions {
  /** Extra triggers, e.g. { '/dev': 'dev', '/ask': 'chat' }. Built-in `@name` triggers win on a clash. */
  aliases?: Readonly<Record<string, CommandName>>;
}

const BUILT_IN_TRIGGERS: ReadonlyMap<string, CommandName> = new Map(COMMAND_NAMES.map((name) => [`@${name}`, name]));

interface Fence {
  char: '`' | '~';
  length: number;
  /** Indentation columns the closing fence may have. */
  maxCloseIndent: number;
}

export function parseCommand(body: string, options: ParseOptions = {}): ParsedCommand | null {
  const triggers = buildTriggers(options.aliases);
  const lines = body.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  let fence: Fence | null = null;
  let inComment = false;

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (inComment) {
      // A line that closes a comment can't start a command: its visible text isn't at line start.
      inComment = commentOpenAfter(line, true);
      continue;
    }
    if (fence) {
      if (isClosingFence(line, fence)) fence = null;
      continue;
    }
    const { columns, offset } = measureIndent(line);
    if (columns > 3) continue; // indented code block, or a continuation nobody reads as a command
    const content = line.slice(offset);
    if (content.startsWith('>')) continue;

    const opened = openingFence(line);
    if (opened) {
      fence = opened;
      continue;
    }

    const token = /^\S+/.exec(content)?.[0];
    const name = token === undefined ? undefined : triggers.get(token.toLowerCase());
    if (name && token) {
      const rest = [content.slice(token.length), ...lines.slice(index + 1)].join('\n');
      return { name, args: rest.trim() };
    }
    inComment = commentOpenAfter(line, false);
  }
  return null;
}

/** Parses an alias list from config text like "/dev=dev,/ask=chat"; throws an Error naming the bad entry. */
export function parseAliases(spec: string): Record<string, CommandName> {
  const aliases: Record<string, CommandName> = {};
  const seen = new Set<string>();
  // Empty entries are skipped so a trailing comma or a one-per-line env value is fine.
  for (const raw of spec.split(/[,\n]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const quoted = JSON.stringify(entry);
    const eq = entry.indexOf('=');
    if (eq === -1) throw new Error(`alias ${quoted} must look like "<trigger>=<command>", e.g. "/dev=dev"`);
    const key = entry.slice(0, eq).trim();
    const command = entry.slice(eq + 1).trim().toLowerCase();
    if (key === '') throw new Error(`alias ${quoted} has an empty trigger`);
    if (/\s/.test(key)) throw new Error(`alias ${quoted}: trigger ${JSON.stringify(key)} must not contain whitespace`);
    const parsed = CommandNameSchema.safeParse(command);
    if (!parsed.success) {
      throw new Error(`alias ${quoted}: unknown command ${JSON.stringify(command)} (expected one of ${COMMAND_NAMES.join(', ')})`);
    }
    const normalized = key.toLowerCase();
    if (BUILT_IN_TRIGGERS.has(normalized)) throw new Error(`alias ${quoted}: ${JSON.stringify(key)} is already a built-in trigger`);
    if (seen.has(normalized)) throw new Error(`alias ${quoted}: trigger ${JSON.stringify(key)} is defined twice`);
    seen.add(normalized);
    aliases[key] = parsed.data;
  }
  return aliases;
}

function buildTriggers(aliases: ParseOptions['aliases']): ReadonlyMap<string, CommandName> {
  if (!aliases) return BUILT_IN_TRIGGERS;
  const triggers = new Map<string, CommandName>();
  // Aliases may come from callers that skipped parseAliases, so re-check them at runtime.
  for (const [key, name] of Object.entries(aliases)) {
    if (key === '' || /\s/.test(key) || !CommandNameSchema.safeParse(name).success) continue;
    triggers.set(key.toLowerCase(), name);
  }
  for (const [key, name] of BUILT_IN_TRIGGERS) triggers.set(key, name);
  return triggers;
}

/** Leading whitespace in columns, with tabs advancing to the next multiple of 4 as in CommonMark. */
function measureIndent(line: string, from = 0): { columns: number; offset: number } {
  let columns = 0;
  let offset = from;
  for (; offset < line.length; offset++) {
    const ch = line[offset];
    if (ch === ' ') columns += 1;
    else if (ch === '\t') columns += 4 - (columns % 4);
    else break;
  }
  return { columns, offset };
}

const LIST_PREFIX = /^(?: {0,3}(?:[-+*]|\d{1,9}[.)]) {1,4})+/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

function openingFence(line: string): Fence | null {
  const prefix = LIST_PREFIX.exec(line)?.[0] ?? '';
  const match = FENCE_OPEN.exec(line.slice(prefix.length));
  const marker = match?.[1];
  if (!match || !marker) return null;
  const char = marker[0] === '`' ? '`' : '~';
  // A backtick "fence" whose info string has a backtick is an inline code span instead.
  if (char === '`' && (match[2] ?? '').includes('`')) return null;
  return { char, length: marker.length, maxCloseIndent: prefix.length + 3 };
}

function isClosingFence(line: string, fence: Fence): boolean {
  const { columns, offset } = measureIndent(line);
  if (columns > fence.maxCloseIndent) return false;
  const rest = line.slice(offset);
  let run = 0;
  while (rest[run] === fence.char) run++;
  return run >= fence.length && rest.slice(run).trim() === '';
}

/**
 * Whether an HTML comment is still open at the end of `line`. Code spans are skipped so that
 * `` `<!--` `` written as an example doesn't hide the rest of the comment.
 */
function commentOpenAfter(line: string, openAtStart: boolean): boolean {
  let open = openAtStart;
  let i = 0;
  while (i < line.length) {
    if (open) {
      const end = line.indexOf('-->', i);
      if (end === -1) return true;
      open = false;
      i = end + 3;
      continue;
    }
    if (line[i] === '`') {
      let run = 0;
      while (line[i + run] === '`') run++;
      const close = findBacktickRun(line, i + run, run);
      i = close === -1 ? i + run : close + run;
      continue;
    }
    if (line.startsWith('<!--', i)) {
      open = true;
      // Resume at "--" so `<!-->` and `<!--->` count as complete (empty) comments, per CommonMark.
      i += 2;
      continue;
    }
    i++;
  }
  return open;
}

/** Index of the next run of exactly `length` backticks at or after `from`, or -1. */
function findBacktickRun(line: string, from: number, length: number): number {
  let i = from;
  while (i < line.length) {
    if (line[i] !== '`') {
      i++;
      continue;
    }
    let run = 0;
    while (line[i + run] === '`') run++;
    if (run === length) return i;
    i += run;
  }
  return -1;
}
