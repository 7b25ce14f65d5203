// Renders a plan as GitHub Markdown. Every string in a plan comes from the model, which may have
// read attacker-written issue text, so none of it may ping people, hide text from the humans
// reading the comment (later runs read the thread and would still see it), or break the layout
// around it. Most defences are zero-width joiners, which render the same inside and outside code
// spans, so the renderer never has to guess which of the two a piece of text ends up in.
import type { Plan, PlannedFile, PlannedTest } from './plan.ts';

export interface PlanRenderMeta {
  version: number;
  /** The version this one revises, when it came from `@make_plan <notes>` on an existing plan. */
  basedOn?: number;
  /** The default-branch commit the plan was made against. */
  sha: string;
  /** Link to a file at that commit; the caller owns URL-encoding the path's segments. */
  blobUrl?: (path: string) => string;
}

const ZWJ = '\u200D';

// Bidi overrides can make text read differently from what it is, and Unicode tag characters carry
// invisible text that models read ("ASCII smuggling"); neither belongs in a plan.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\u{E0000}-\u{E007F}]/gu;

/** Defences that hold wherever the text lands: prose, a code span, a list item or a table cell. */
function defuse(text: string): string {
  return (
    text
      // "<!--" and tags such as an unclosed <details> can hide everything after them.
      .replace(/<(?=[A-Za-z!/?])/g, `<${ZWJ}`)
      // GitHub links @login and @org/team and notifies them, also when the "@" is spelled "&#64;".
      .replace(/@(?=[A-Za-z0-9])/g, `@${ZWJ}`)
      .replace(/&(?=#?[A-Za-z0-9]+;)/g, `&${ZWJ}`)
      // Three backticks or tildes at a line start open a fence that swallows the rest of the
      // comment; keeping every run below three means no fence can open or close.
      .replace(/([`~])\1(?=\1)/g, `$1$1${ZWJ}`)
      // "[label]: url 'title'" is a link reference definition: it renders as nothing at all.
      .replace(/\](?=:)/g, `]${ZWJ}`)
  );
}

/** Model text for one line: a list item or the estimate. */
function inline(text: string): string {
  return defuse(text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim());
}

// A `|` splits a table cell even inside a code span; GFM removes the backslash again when rendering.
const escapePipes = (text: string): string => text.replaceAll('|', '\\|');

/** Model text for a table cell. */
function cell(text: string): string {
  return escapePipes(inline(text));
}

/** Model text kept as paragraphs (the summary), which is where block-level Markdown could start. */
function paragraphs(text: string): string {
  const lines = text
    .replace(INVISIBLE, '')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    // A heading in the summary could pass itself off as one of the plan's own sections.
    .map((line) => line.replace(/^(\s{0,3})(#{1,6})(?=\s|$)/, '$1\\$2'));
  return defuse(lines.join('\n').replace(/\n{3,}/g, '\n\n').trim());
}

/** A code span of our own making: it holds any text, so what is inside never needs defusing. */
function codeSpan(text: string): string {
  const content = text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // CommonMark strips one space from each side, so content starting or ending in a backtick survives.
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

// Spaces, parentheses and pipes would end the link or the table cell early.
const safeHref = (url: string): string =>
  url.trim().replace(/[\s()<>|\\`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

const shortSha = (sha: string): string => sha.replace(/[^0-9a-f]/gi, '').slice(0, 7).toLowerCase() || 'unknown';

function renderFiles(files: readonly PlannedFile[], blobUrl: PlanRenderMeta['blobUrl']): string {
  const rows = files.map((file) => {
    const path = codeSpan(file.path);
    // A file the plan creates does not exist at the planned commit, so a link would 404.
    const shown = blobUrl && file.action !== 'create' ? `[${path}](${safeHref(blobUrl(file.path))})` : path;
    return `| ${file.action} | ${escapePipes(shown)} | ${cell(file.intent)} |`;
  });
  return ['### Files', '', '| Action | File | What changes |', '| --- | --- | --- |', ...rows].join('\n');
}

function renderTests(tests: readonly PlannedTest[]): string {
  // A table keeps each command in a cell of its own, where stray backticks in the description
  // cannot pair with the command's code span.
  const rows = tests.map((test) => `| ${cell(test.description)} | ${test.command ? escapePipes(codeSpan(test.command)) : '—'} |`);
  return ['### Tests', '', '| Test | Command |', '| --- | --- |', ...rows].join('\n');
}

/** Keeps a list item's text from opening a block of its own: a nested list or task, a quote, a heading, a rule. */
function asListItemText(text: string): string {
  return text
    .replace(/^(\d{1,9})([.)])/, '$1\\$2')
    .replace(/^\[(?=[ xX]\])/, '\\[')
    .replace(/^[-+*_=>#]/, '\\$&');
}

function renderList(title: string, items: readonly string[], marker: string): string {
  return [`### ${title}`, '', ...items.map((item) => `${marker}${asListItemText(inline(item))}`)].join('\n');
}

export function renderPlan(plan: Plan, meta: PlanRenderMeta): string {
  const revises = meta.basedOn === undefined ? '' : ` (revises v${meta.basedOn})`;
  const sections = [`## Plan v${meta.version}${revises}`, paragraphs(plan.summary)];
  if (plan.files.length > 0) sections.push(renderFiles(plan.files, meta.blobUrl));
  if (plan.steps.length > 0) sections.push(renderList('Steps', plan.steps, '- [ ] '));
  if (plan.tests.length > 0) sections.push(renderTests(plan.tests));
  if (plan.risks.length > 0) sections.push(renderList('Risks', plan.risks, '- '));
  if (plan.open_questions.length > 0) sections.push(renderList('Open questions', plan.open_questions, '- '));
  sections.push(`Estimate: **${plan.estimate.size}** — ${inline(plan.estimate.rationale)}`);
  sections.push(`<sub>Planned against commit \`${shortSha(meta.sha)}\`.</sub>`);
  // A summary made only of invisible characters renders as nothing; it must not leave a gap.
  return sections.filter((section) => section !== '').join('\n\n');
}
