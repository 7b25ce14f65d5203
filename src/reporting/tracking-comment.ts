// Pure renderers for everything ticketsmith posts on GitHub. The tracking comment is re-rendered
// from scratch on every edit (never patched), so a retry or a crash mid-run can always rebuild it.
import { createRedactor, redactSecrets } from '../redact.ts';

export type StepStatus = 'pending' | 'active' | 'done' | 'failed' | 'skipped';
export interface TrackingStep { id: string; label: string; status: StepStatus; detail?: string; progress?: number /* 0-100 for the active step */ }
export type RunStatus = 'queued' | 'working' | 'completed' | 'failed' | 'cancelled';
export interface RunFooter { model?: string; inputTokens: number; outputTokens: number; cachedInputTokens: number; costUsd: number; costKnown: boolean; durationMs?: number }
export interface TrackingCommentView {
  runId: number | string;
  command: string; // e.g. 'chat'
  requester: string; // GitHub login, rendered as @login
  status: RunStatus;
  steps: TrackingStep[];
  body?: string; // the answer (Markdown) once there is one
  notices?: string[]; // warnings worth a maintainer's attention (Markdown), e.g. an invalid repository config
  error?: string; // one-sentence failure explanation when status is 'failed'
  attempt?: number; // > 1 means the job is being retried
  footer?: RunFooter;
  runUrl?: string; // dashboard link, when configured
  secrets?: readonly string[]; // known secret values to redact
}

export const GITHUB_COMMENT_LIMIT = 65536;

// Caps on the parts we do not truncate smartly, so the answer body always gets most of the room.
const MAX_LABEL = 200;
const MAX_DETAIL = 300;
const MAX_ERROR = 1000;
const MAX_NOTICE = 4000;

const HEADERS: Record<RunStatus, string> = {
  queued: '🕒 **ticketsmith has queued this request**',
  working: '⏳ **ticketsmith is working…**',
  completed: '✅ **ticketsmith finished**',
  failed: '❌ **ticketsmith failed**',
  cancelled: '🛑 **ticketsmith was cancelled**',
};

/** A hidden HTML comment identifying the run, so the app can find its own comment again. */
export function trackingMarker(runId: number | string): string {
  // Anything that could close the HTML comment early would expose the rest as visible text.
  const safe = String(runId).replace(/[^A-Za-z0-9_.:]/g, '_');
  return `<!-- ticketsmith:run=${safe} -->`;
}

// Backticks keep "@chat" from pinging a GitHub user who happens to be called "chat".
function commandCode(command: string): string {
  return `\`@${command.replace(/^@+/, '').replace(/`/g, '')}\``;
}

function mention(login: string): string {
  // Logins are [A-Za-z0-9-]; brackets let app accounts such as "dependabot[bot]" through.
  return `@${login.replace(/^@+/, '').replace(/[^A-Za-z0-9\-[\]]/g, '')}`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${cutAt(flat, max - 1)}…`;
}

/** Cuts at `end`, stepping back one unit rather than splitting a surrogate pair. */
function cutAt(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

function formatCount(n: number): string {
  const rounded = Math.round(n);
  const sign = rounded < 0 ? '-' : '';
  // Grouping by hand keeps output identical whatever ICU data or locale Node runs with.
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatCost(footer: RunFooter): string {
  if (!footer.costKnown) return 'cost unknown';
  const usd = footer.costUsd;
  if (usd > 0 && usd < 0.0001) return '<$0.0001';
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} m ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} m`;
}

function renderFooter(footer: RunFooter | undefined, runUrl: string | undefined): string | undefined {
  const parts: string[] = [];
  if (footer) {
    if (footer.model) parts.push(oneLine(footer.model, 100));
    const cached = footer.cachedInputTokens > 0 ? ` (${formatCount(footer.cachedInputTokens)} cached)` : '';
    parts.push(`${formatCount(footer.inputTokens)} in${cached} / ${formatCount(footer.outputTokens)} out tokens`);
    parts.push(formatCost(footer));
    if (footer.durationMs !== undefined) parts.push(formatDuration(footer.durationMs));
  }
  // Spaces and parentheses would end the Markdown link early; encodeURIComponent leaves "()" alone.
  const href = runUrl?.trim().replace(/[\s()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (href) parts.push(`[run log](${href})`);
  return parts.length > 0 ? `<sub>${parts.join(' · ')}</sub>` : undefined;
}

function renderStep(step: TrackingStep): string {
  const label = oneLine(step.label, MAX_LABEL);
  const detail = step.detail ? ` — ${oneLine(step.detail, MAX_DETAIL)}` : '';
  switch (step.status) {
    case 'done':
      return `- [x] ${label}${detail}`;
    case 'active': {
      const progress =
        step.progress !== undefined && Number.isFinite(step.progress)
          ? ` (${Math.round(Math.min(100, Math.max(0, step.progress)))}%)`
          : '';
      return `- [ ] ⏳ **${label}**${progress}${detail}`;
    }
    case 'failed':
      return `- [ ] ❌ ${label}${detail}`;
    case 'skipped':
      return `- [ ] ~~${label}~~ (skipped)${detail}`;
    case 'pending':
      return `- [ ] ${label}${detail}`;
  }
}

function renderAttempt(view: TrackingCommentView): string | undefined {
  if (view.attempt === undefined || view.attempt <= 1) return undefined;
  const n = Math.floor(view.attempt);
  return view.status === 'queued' || view.status === 'working'
    ? `🔁 Retrying: this is attempt ${n}, because an earlier attempt did not finish.`
    : `🔁 This was attempt ${n}; an earlier attempt did not finish.`;
}

function assemble(view: TrackingCommentView, body: string | undefined): string {
  const sections = [
    `${trackingMarker(view.runId)}\n${HEADERS[view.status]} — ${commandCode(view.command)} requested by ${mention(view.requester)}`,
  ];
  const attempt = renderAttempt(view);
  if (attempt) sections.push(attempt);
  if (view.steps.length > 0) sections.push(view.steps.map(renderStep).join('\n'));
  for (const notice of view.notices ?? []) sections.push(notice.length > MAX_NOTICE ? `${cutAt(notice, MAX_NOTICE - 1)}…` : notice);
  if (body) sections.push(body);
  if (view.status === 'failed') {
    sections.push(`**Error:** ${oneLine(view.error || 'The run failed for an unknown reason.', MAX_ERROR)}`);
  }
  const footer = renderFooter(view.footer, view.runUrl);
  if (footer) sections.push(footer);
  return sections.join('\n\n');
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** The fence (and its info string) still open at the end of `text`, if any. */
function openFence(text: string): { fence: string; info: string } | undefined {
  let open: { fence: string; info: string } | undefined;
  for (const line of text.split('\n')) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const fence = match[1] ?? '';
    const rest = match[2] ?? '';
    if (open === undefined) {
      // CommonMark: a backtick fence's info string may not contain backticks.
      if (!(fence.startsWith('`') && rest.includes('`'))) open = { fence, info: rest.trim() };
    } else if (fence[0] === open.fence[0] && fence.length >= open.fence.length && rest.trim() === '') {
      open = undefined;
    }
  }
  return open;
}

function omittedMarker(count: number): string {
  return `_… ✂ ${formatCount(count)} characters omitted …_`;
}

/** Keeps the head and tail of `body` in `keep` characters, cutting at line ends where that is cheap. */
function cutMiddle(body: string, keep: number): string {
  const headLength = Math.floor(keep * 0.6);
  let headEnd = headLength;
  const lineEnd = body.lastIndexOf('\n', headEnd);
  if (lineEnd > headEnd - 200 && lineEnd > 0) headEnd = lineEnd;
  if (isLowSurrogate(body.charCodeAt(headEnd))) headEnd -= 1;

  let tailStart = body.length - Math.max(0, keep - headLength);
  const lineStart = body.indexOf('\n', tailStart);
  if (lineStart !== -1 && lineStart < tailStart + 200) tailStart = lineStart + 1;
  if (isLowSurrogate(body.charCodeAt(tailStart))) tailStart += 1;
  tailStart = Math.max(tailStart, headEnd);

  let head = body.slice(0, headEnd);
  let tail = body.slice(tailStart);
  const headFence = openFence(head);
  if (headFence) head += `\n${headFence.fence}`;
  // Text after the cut that was inside a fence would otherwise render as prose, and its closing
  // fence would open a new block swallowing the rest of the comment.
  const tailFence = openFence(body.slice(0, tailStart));
  if (tailFence) tail = `${tailFence.fence}${tailFence.info}\n${tail}`;
  return `${head.trimEnd()}\n\n${omittedMarker(tailStart - headEnd)}\n\n${tail.replace(/^\s*\n/, '')}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function truncateBody(body: string, budget: number): string {
  if (body.length <= budget) return body;
  let keep = budget - 64;
  // The fence repairs and line-end snapping change the size a little; shrink until it fits.
  for (let i = 0; i < 8 && keep > 0; i++) {
    const cut = cutMiddle(body, keep);
    if (cut.length <= budget) return cut;
    keep -= cut.length - budget + 16;
  }
  return omittedMarker(body.length);
}

export function renderTrackingComment(view: TrackingCommentView): string {
  const redact = createRedactor(view.secrets ?? []);
  // Redacting before truncating means a cut can never leave half a token that no pattern matches.
  const body = view.body?.trim() ? redact(view.body.trim()) : undefined;
  let budget = GITHUB_COMMENT_LIMIT - 1 - assemble(view, '').length - 4;
  for (let i = 0; i < 8; i++) {
    const output = redact(assemble(view, body === undefined ? undefined : truncateBody(body, Math.max(0, budget))));
    if (output.length < GITHUB_COMMENT_LIMIT) return output;
    // Replacements can be longer than what they replace; give the overflow back from the body.
    budget -= output.length - GITHUB_COMMENT_LIMIT + 1;
  }
  // Only reachable when the fixed parts alone are too long (thousands of steps).
  return cutAt(redact(assemble(view, undefined)), GITHUB_COMMENT_LIMIT - 1);
}

const BUILT_IN_COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['@chat <question>', 'Answers a question about this issue and the repository.'],
  ['@make_plan [notes]', 'Writes an implementation plan for this issue.'],
  ['@dev [notes]', 'Implements the issue and opens a pull request (where enabled).'],
  ['@help', 'Shows this list.'],
  ['@cancel', "Cancels this issue's queued and running ticketsmith jobs."],
];

export function renderHelpComment(aliases: Readonly<Record<string, string>>): string {
  const lines = [
    '**ticketsmith commands** — start a comment with one of these:',
    '',
    '| Command | What it does |',
    '| --- | --- |',
    ...BUILT_IN_COMMANDS.map(([usage, what]) => `| \`${usage}\` | ${what} |`),
  ];
  const entries = Object.entries(aliases).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length > 0) {
    lines.push('', 'Aliases configured for this repository:', '');
    for (const [alias, target] of entries) lines.push(`- ${commandCode(alias)} → ${commandCode(target)}`);
  }
  lines.push('', 'Only maintainers with write access to this repository can run commands.');
  return redactSecrets(lines.join('\n'));
}

export function renderRefusalComment(login: string): string {
  return redactSecrets(
    `Sorry ${mention(login)}, only maintainers with write access to this repository can run ticketsmith commands.`,
  );
}

export function renderUnavailableComment(command: string): string {
  return redactSecrets(
    `${commandCode(command)} is not available yet on this installation of ticketsmith. Comment \`@help\` to see the commands you can use.`,
  );
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function renderCancelComment(result: { cancelledQueued: number; cancelRequestedRunning: number }): string {
  const { cancelledQueued: queued, cancelRequestedRunning: running } = result;
  let text: string;
  if (queued === 0 && running === 0) {
    text = '🛑 Nothing to cancel: there are no queued or running ticketsmith jobs for this issue.';
  } else {
    const parts: string[] = [];
    if (queued > 0) parts.push(`cancelled ${plural(queued, 'queued job')}`);
    if (running > 0) parts.push(`asked ${plural(running, 'running job')} to stop`);
    const sentence = parts.join(' and ');
    text = `🛑 ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
    if (running > 0) {
      text += running === 1 ? ' Its tracking comment will say when it has stopped.' : ' Their tracking comments will say when they have stopped.';
    }
  }
  return redactSecrets(text);
}
