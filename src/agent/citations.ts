// The chat answer is posted on GitHub, where a citation like `src/a.ts:3-9` is dead text and a
// relative link resolves against the issue page. Each citation the model writes becomes a link to
// the blob at the fetched commit, so it keeps pointing at the code the answer was written from.
//
// Recognised forms (the ones the system prompt asks for; nothing looser, so prose stays prose):
//   path:12   path:12-30   path#L12   path#L12-L30
// written as a whole inline-code span, as bare text, or as the target of a Markdown link. A bare
// path without a line is not linked (it is too easily an ordinary word); in backticks or as a
// link target it is. Only files the workspace knows are linked: an unknown path is left as the
// model wrote it, never turned into a link that 404s.
//
// Markdown is only tokenised as far as needed to stay out of code and links: fenced blocks, code
// spans, links, images, autolinks, bare URLs and inline HTML tags. Indented (4-space) code blocks
// and reference-style links are not recognised. Every scan is a single forward pass; the only
// look-aheads (link destinations and titles) are capped, so a long answer costs linear time.

export interface CitationContext {
  /** Repository page, e.g. https://github.com/octo/repo (a trailing slash is tolerated). */
  htmlUrl: string;
  /** The commit the workspace was fetched at. */
  sha: string;
  /** Whether a repository-relative path is a file in the workspace at that commit, and its line count. */
  fileInfo(path: string): { lines: number } | undefined;
}

export interface Citation {
  path: string;
  /** Set with endLine whenever a line was cited; equal for a single line. */
  startLine?: number;
  endLine?: number;
  url: string;
}

export interface LinkedAnswer {
  text: string;
  citations: Citation[];
}

export function blobUrl(ctx: Pick<CitationContext, 'htmlUrl' | 'sha'>, path: string, start?: number, end?: number): string {
  let base = ctx.htmlUrl;
  while (base.endsWith('/')) base = base.slice(0, -1);
  const encoded = stripDotSlash(path).split('/').map(encodeSegment).join('/');
  return `${base}/blob/${ctx.sha}/${encoded}${lineFragment(start, end)}`;
}

export function linkCitations(answer: string, ctx: CitationContext): LinkedAnswer {
  const found = new Map<string, Citation>();
  const known = new Map<string, { lines: number } | undefined>();
  const resolve = (target: LineTarget): Citation | undefined => {
    const path = normalizeRepoPath(target.path);
    if (path === undefined) return undefined;
    if (!known.has(path)) known.set(path, ctx.fileInfo(path));
    const info = known.get(path);
    if (info === undefined) return undefined;
    const citation = clampToFile(ctx, path, info.lines, target.start, target.end);
    if (!found.has(citation.url)) found.set(citation.url, citation);
    return citation;
  };
  return { text: mapProse(answer, (chunk) => linkChunk(chunk, resolve)), citations: [...found.values()] };
}

interface LineTarget {
  path: string;
  start?: number;
  end?: number;
}

type Resolve = (target: LineTarget) => Citation | undefined;

function clampToFile(ctx: CitationContext, path: string, lines: number, start?: number, end?: number): Citation {
  // An empty file has no line to point at; the file itself is the honest target.
  if (start === undefined || lines < 1) return { path, url: blobUrl(ctx, path) };
  const [lo, hi] = orderedRange(start, end ?? start).map((n) => Math.min(Math.max(n, 1), lines)) as [number, number];
  return { path, startLine: lo, endLine: hi, url: blobUrl(ctx, path, lo, hi) };
}

function orderedRange(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

function lineFragment(start?: number, end?: number): string {
  if (start === undefined) return '';
  const [lo, hi] = orderedRange(start, end ?? start);
  return lo === hi ? `#L${lo}` : `#L${lo}-L${hi}`;
}

// encodeURIComponent leaves parentheses and quotes alone, and an unbalanced parenthesis would end
// the Markdown link destination early.
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function stripDotSlash(path: string): string {
  let p = path;
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

/** Repository-relative and already normal, or undefined: no absolute paths, no climbing out, no URLs. */
function normalizeRepoPath(raw: string): string | undefined {
  const path = stripDotSlash(raw);
  if (path === '' || path.startsWith('/') || /[:\\\u0000-\u001f\u007f]/.test(path)) return undefined;
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return path;
}

// `:12`, `:12-30`, `#L12`, `#L12-L30` (and the lenient `#L12-30`). Digits are capped so a match stays
// cheap and the numbers stay safe integers.
const LINES = String.raw`(?::(\d{1,9})(?:-(\d{1,9}))?|#L(\d{1,9})(?:-L?(\d{1,9}))?)`;
const TRAILING_LINES = new RegExp(`${LINES}$`);
const LINE_SUFFIX = new RegExp(LINES, 'y');

function lineTarget(path: string, m: RegExpExecArray): LineTarget {
  const start = m[1] ?? m[3];
  const end = m[2] ?? m[4];
  return { path, ...(start !== undefined && { start: Number(start) }), ...(end !== undefined && { end: Number(end) }) };
}

/** Splits `path:12-30` / `path#L12-L30` into its parts; with no suffix, the whole text is the path. */
function parseTarget(text: string): LineTarget {
  const m = TRAILING_LINES.exec(text);
  return m ? lineTarget(text.slice(0, m.index), m) : { path: text };
}

// ---- Block level: fenced code is copied verbatim; prose is handed over one paragraph at a time,
// so an unmatched backtick or bracket can never reach across a blank line or into a fence.

// Indentation and blockquote markers are allowed in front of any fence: mistaking a line for a
// fence only leaves some prose unlinked, while missing a fence would rewrite code.
const FENCE = /^[ \t>]*(`{3,}|~{3,})(.*)$/;

function mapProse(text: string, linkParagraph: (chunk: string) => string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    if (paragraph.length > 0) out.push(linkParagraph(paragraph.join('\n')));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    if (fence !== undefined) {
      out.push(line);
      const closes = m?.[1] !== undefined && m[1][0] === fence[0] && m[1].length >= fence.length && m[2]!.trim() === '';
      if (closes) fence = undefined;
    } else if (m?.[1] !== undefined && !(m[1][0] === '`' && m[2]!.includes('`'))) {
      flush();
      out.push(line);
      fence = m[1];
    } else if (/^[ \t>]*\r?$/.test(line)) {
      flush();
      out.push(line);
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return out.join('\n');
}

// ---- Inline level, within one paragraph.

const PATH_RUN = /[\p{L}\p{N}_.\-/+@~$]+/uy;
// A bare citation that runs on into more word, a column (`:3:5`) or a decimal is something else.
const RUNS_ON = /[\p{L}\p{N}_]|[.:\-#/]\p{N}/uy;
// Where a bare citation may start: it must not be the tail of a URL, a query or an assignment.
const OPENS_BARE = /[\s([{"'*<>,;|“‘«]/u;
const BARE_URL = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s<>]*|www\.[^\s<>]+/y;
const AUTOLINK_OR_TAG = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>|<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/y;
const MAX_CODE_CITATION = 500;

function stickyMatch(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function linkChunk(s: string, resolve: Resolve): string {
  const { codeSpanEnd, bracketEnd } = indexChunk(s);
  const out: string[] = [];
  let i = 0;
  let copiedTo = 0;
  const emit = (from: number, to: number, replacement: string) => {
    out.push(s.slice(copiedTo, from), replacement);
    copiedTo = to;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '`') {
      const end = codeSpanEnd.get(i);
      if (end === undefined) {
        while (s[i] === '`') i++;
        continue;
      }
      const citation = codeSpanCitation(s, i, end, resolve);
      if (citation) emit(i, end, `[${s.slice(i, end)}](${citation.url})`);
      i = end;
    } else if (c === '\\') {
      i += s[i + 1] === '`' ? 1 : 2;
    } else if (c === '[' || (c === '!' && s[i + 1] === '[')) {
      const open = c === '!' ? i + 1 : i;
      const link = parseInlineLink(s, open, bracketEnd);
      if (!link) {
        i = open + 1;
        continue;
      }
      // Images and links that are not citations (absolute, anchors, unknown files) stay as written.
      const citation = c === '[' ? resolve(decodeTarget(s.slice(link.destStart, link.destEnd))) : undefined;
      if (citation) emit(link.destOuterStart, link.destOuterEnd, citation.url);
      i = link.end;
    } else if (c === '<') {
      const tag = stickyMatch(AUTOLINK_OR_TAG, s, i);
      i += tag ? tag[0].length : 1;
    } else {
      const run = stickyMatch(PATH_RUN, s, i);
      if (!run) {
        i++;
        continue;
      }
      const url = stickyMatch(BARE_URL, s, i);
      if (url) {
        i += url[0].length;
        continue;
      }
      const pathEnd = i + run[0].length;
      const bare = i === 0 || OPENS_BARE.test(s[i - 1]!) ? bareCitation(s, i, pathEnd) : undefined;
      const citation = bare && resolve(bare.target);
      if (bare && citation) emit(i, bare.end, `[${s.slice(i, bare.end)}](${citation.url})`);
      i = bare && citation ? bare.end : pathEnd;
    }
  }
  out.push(s.slice(copiedTo));
  return out.join('');
}

function codeSpanCitation(s: string, start: number, end: number, resolve: Resolve): Citation | undefined {
  let ticks = 0;
  while (s[start + ticks] === '`') ticks++;
  const content = s.slice(start + ticks, end - ticks).trim();
  if (content.length > MAX_CODE_CITATION || content.includes('\n')) return undefined;
  return resolve(parseTarget(content));
}

function bareCitation(s: string, pathStart: number, pathEnd: number): { target: LineTarget; end: number } | undefined {
  const m = stickyMatch(LINE_SUFFIX, s, pathEnd);
  if (!m) return undefined;
  const end = pathEnd + m[0].length;
  return stickyMatch(RUNS_ON, s, end) ? undefined : { target: lineTarget(s.slice(pathStart, pathEnd), m), end };
}

/** Link targets are URLs, so `%20` means a space; decode after the fragment is split off. */
function decodeTarget(destination: string): LineTarget {
  const target = parseTarget(destination);
  try {
    return { ...target, path: decodeURIComponent(target.path) };
  } catch {
    return target;
  }
}

interface InlineLink {
  /** The destination without angle brackets, and with them. */
  destStart: number;
  destEnd: number;
  destOuterStart: number;
  destOuterEnd: number;
  /** Just past the closing parenthesis. */
  end: number;
}

/** `[label](destination "title")` starting at `open`, or undefined when the bracket is plain text. */
function parseInlineLink(s: string, open: number, bracketEnd: Map<number, number>): InlineLink | undefined {
  const close = bracketEnd.get(open);
  if (close === undefined || s[close + 1] !== '(') return undefined;
  const destOuterStart = skipSpace(s, close + 2);
  const angled = s[destOuterStart] === '<';
  const destStart = angled ? destOuterStart + 1 : destOuterStart;
  const destEnd = angled ? scanTo(s, destStart, '><\n') : scanPlainDestination(s, destStart);
  if (destEnd === undefined || (angled && s[destEnd] !== '>')) return undefined;
  const destOuterEnd = angled ? destEnd + 1 : destEnd;
  let p = skipSpace(s, destOuterEnd);
  const quote = s[p];
  if (quote === '"' || quote === "'" || quote === '(') {
    // A parenthesised title cannot contain an opening parenthesis either.
    const titleEnd = scanTo(s, p + 1, quote === '(' ? '()' : quote);
    if (titleEnd === undefined || s[titleEnd] === '(') return undefined;
    p = skipSpace(s, titleEnd + 1);
  }
  if (s[p] !== ')') return undefined;
  return { destStart, destEnd, destOuterStart, destOuterEnd, end: p + 1 };
}

// Both caps keep a failed link attempt cheap: without them, text like `[a]([a]([a](…` would make
// every attempt read to the end of the paragraph. Real targets are far shorter and shallower.
const MAX_DESTINATION = 1000;
const MAX_PAREN_DEPTH = 8;

/** The end of an unbracketed destination: whitespace or the unbalanced `)`. */
function scanPlainDestination(s: string, at: number): number | undefined {
  const limit = Math.min(s.length, at + MAX_DESTINATION);
  let depth = 0;
  for (let p = at; p < limit; p++) {
    const ch = s[p]!;
    if (ch === '\\') p++;
    else if (ch === '(' && ++depth > MAX_PAREN_DEPTH) return undefined;
    else if ((ch === ')' && depth-- === 0) || ch <= ' ') return p;
  }
  return undefined;
}

/** The first of `stops` from `at`, skipping backslash escapes. */
function scanTo(s: string, at: number, stops: string): number | undefined {
  const limit = Math.min(s.length, at + MAX_DESTINATION);
  for (let p = at; p < limit; p++) {
    if (s[p] === '\\') p++;
    else if (stops.includes(s[p]!)) return p;
  }
  return undefined;
}

function skipSpace(s: string, at: number): number {
  let p = at;
  while (s[p] === ' ' || s[p] === '\t' || s[p] === '\n') p++;
  return p;
}

/**
 * One forward pass pairing code spans (a backtick run closes at the next run of the same length)
 * and square brackets, so the scanner never has to search ahead for a closer.
 */
function indexChunk(s: string): { codeSpanEnd: Map<number, number>; bracketEnd: Map<number, number> } {
  const runs: { start: number; length: number }[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] !== '`') {
      i++;
      continue;
    }
    const start = i;
    while (s[i] === '`') i++;
    runs.push({ start, length: i - start });
  }
  const nextSameLength: number[] = new Array<number>(runs.length).fill(-1);
  const seen = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k--) {
    nextSameLength[k] = seen.get(runs[k]!.length) ?? -1;
    seen.set(runs[k]!.length, k);
  }
  const codeSpanEnd = new Map<number, number>();
  const bracketEnd = new Map<number, number>();
  const openBrackets: number[] = [];
  let k = 0;
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '`') {
      while (runs[k]!.start < i) k++;
      const closer = runs[nextSameLength[k]!];
      if (closer) {
        codeSpanEnd.set(i, closer.start + closer.length);
        k = nextSameLength[k]! + 1;
        i = closer.start + closer.length;
      } else {
        i += runs[k]!.length;
        k++;
      }
      continue;
    }
    // A backslash does not escape a backtick here, matching what the scanner assumes.
    if (c === '\\' && s[i + 1] !== '`') {
      i += 2;
      continue;
    }
    if (c === '[') openBrackets.push(i);
    else if (c === ']' && openBrackets.length > 0) bracketEnd.set(openBrackets.pop()!, i);
    i++;
  }
  return { codeSpanEnd, bracketEnd };
}
