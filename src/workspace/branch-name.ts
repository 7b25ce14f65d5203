// Branch names for tickets, from a template a repository may choose in .github/ticketsmith.yml.
// The template is maintainer-written but the title is anyone's, so the slug is reduced to
// [a-z0-9-] and the template's literal parts to a charset that can never form an invalid ref.

export const DEFAULT_BRANCH_TEMPLATE = 'ticketsmith/issue-{number}-{slug}';

const MAX_TEMPLATE_LENGTH = 100;
const MAX_SLUG_LENGTH = 40;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set(['number', 'slug']);
// Separators that read as "between words"; `/` is handled apart because it nests the ref.
const WORD_SEPARATORS = '-_.';

/** The title reduced to lowercase ASCII words joined by dashes, at most 40 characters. */
function titleSlug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
}

/**
 * Why a branch template cannot be used, in one sentence, or undefined when it can. The rules keep
 * every rendered name a valid git branch, whatever the issue title.
 */
export function validateBranchTemplate(template: string): string | undefined {
  if (template.length === 0) return 'must not be empty';
  if (template.length > MAX_TEMPLATE_LENGTH) return `must be at most ${MAX_TEMPLATE_LENGTH} characters (got ${template.length})`;
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN_PLACEHOLDERS.has(name ?? '')) return `uses the unknown placeholder {${name}}; only {number} and {slug} are available`;
  }
  // Without the issue number two issues could share a branch and overwrite each other's work.
  if (!template.includes('{number}')) return 'must contain {number}, so that every issue gets its own branch';
  const literal = template.replace(PLACEHOLDER, '');
  const bad = /[^A-Za-z0-9._/-]/.exec(literal);
  if (bad) return `may only contain letters, digits, ".", "_", "/", "-" and the placeholders (found ${JSON.stringify(bad[0])})`;
  if (template.includes('..')) return 'must not contain ".."';
  if (template.includes('//')) return 'must not contain "//"';
  if (/^[/-]/.test(template)) return 'must not start with "/" or "-"';
  if (template.endsWith('/')) return 'must not end with "/"';
  if (template.endsWith('.')) return 'must not end with "."';
  if (template.split('/').some((part) => part.startsWith('.'))) return 'must not have a path segment starting with "."';
  if (template.split('/').some((part) => part.endsWith('.lock'))) return 'must not have a path segment ending with ".lock"';
  // Belt and braces: whatever the rules above missed, both kinds of rendering must be valid refs.
  for (const sample of [renderTemplate(template, 1, 'a-b'), renderTemplate(template, 1, '')]) {
    if (!isValidBranchName(sample)) return `would give the invalid branch name ${JSON.stringify(sample)}`;
  }
  return undefined;
}

/**
 * The branch of an issue under a template. The template must pass validateBranchTemplate; callers
 * reading it from a repository validate it first and fall back to DEFAULT_BRANCH_TEMPLATE.
 */
export function branchNameFromTemplate(template: string, issueNumber: number, title: string): string {
  if (!Number.isSafeInteger(issueNumber) || issueNumber < 1) throw new RangeError(`issueNumber: must be a positive integer (got ${issueNumber})`);
  const problem = validateBranchTemplate(template);
  if (problem) throw new RangeError(`branch template ${JSON.stringify(template)}: ${problem}`);
  const named = renderTemplate(template, issueNumber, titleSlug(title));
  // A slug can complete a reserved suffix (`x.{slug}` with the title "lock"): then go without it.
  return isValidBranchName(named) ? named : renderTemplate(template, issueNumber, '');
}

/** The stable branch of a ticket: `ticketsmith/issue-<n>-<slug of the title>`. */
export function ticketBranchName(issueNumber: number, title: string): string {
  return branchNameFromTemplate(DEFAULT_BRANCH_TEMPLATE, issueNumber, title);
}

function renderTemplate(template: string, issueNumber: number, slug: string): string {
  const shaped = slug ? template : withoutSlug(template);
  return shaped.replaceAll('{number}', String(issueNumber)).replaceAll('{slug}', slug);
}

// An empty slug takes one separator with it, so `issue-{number}-{slug}` gives `issue-7`, not
// `issue-7-`, and `{slug}/{number}` gives `7`, not `/7`.
function withoutSlug(template: string): string {
  let shaped = template;
  for (let index = shaped.indexOf('{slug}'); index !== -1; index = shaped.indexOf('{slug}')) {
    const before = shaped[index - 1];
    const after = shaped[index + '{slug}'.length];
    let start = index;
    let end = index + '{slug}'.length;
    if (before !== undefined && WORD_SEPARATORS.includes(before)) start -= 1;
    else if (after !== undefined && WORD_SEPARATORS.includes(after)) end += 1;
    else if (before === '/') start -= 1;
    else if (after === '/') end += 1;
    shaped = shaped.slice(0, start) + shaped.slice(end);
  }
  return shaped;
}

// The parts of git's check-ref-format rules (plus `--branch`'s leading dash) a name could break.
/** git's check-ref-format rules for a branch name, without spawning git. */
export function isValidBranchName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== 'HEAD' &&
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name) &&
    !name.includes('..') &&
    !name.includes('@{') &&
    name !== '@' &&
    !name.startsWith('-') &&
    !name.endsWith('.') &&
    name.split('/').every((part) => part.length > 0 && !part.startsWith('.') && !part.endsWith('.lock'))
  );
}
