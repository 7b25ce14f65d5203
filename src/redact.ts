// Secrets must never reach a GitHub comment, a log line or a stored event. Known values (from
// config) are replaced verbatim; token-shaped strings are caught by pattern even when nobody told
// us about them, e.g. a token an LLM echoed back or one embedded in a git remote URL.

export const REDACTED = '[REDACTED]';

// Shorter values are too likely to be ordinary words or numbers, and replacing them would mangle text.
const MIN_KNOWN_SECRET_LENGTH = 8;

// Characters a bearer/API token is made of. Quotes, backslashes and brackets are excluded so a
// redaction never swallows JSON syntax around the value (log lines are serialized JSON).
const TOKEN_CHARS = String.raw`[\w.~+/=-]`;

// In serialized JSON a token often follows an escaped newline ("...\nBearer x"), where the "n"
// would otherwise defeat a word-boundary check.
const WORD_START = String.raw`(?:\b|(?<=\\[nrt]))`;

interface Rule {
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const RULES: readonly Rule[] = [
  {
    // Whole PEM private key blocks, with real newlines or the literal "\n" escapes of .env files.
    // Stopping at the next BEGIN keeps many unterminated headers from costing quadratic time.
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:(?!-----BEGIN )[\s\S])*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
    replace: () => REDACTED,
  },
  {
    // A key cut off before its END line (e.g. by a truncated log message) still leaks its body.
    // Spaces end the match: base64 lines have none, and prose after the cut should survive.
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:\\[nr]|[A-Za-z0-9+/=\r\n])*/g,
    replace: () => REDACTED,
  },
  {
    // scheme://user:password@host keeps scheme, user and host so the message stays useful. The
    // scheme length is capped: unbounded, long dotted or hyphenated text takes quadratic time.
    pattern: /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:/?#@"'<>\\]*):([^\s/?#@"'<>\\]+)@/gi,
    replace: (_m, scheme = '', user = '') => `${scheme}${user}:${REDACTED}@`,
  },
  {
    // Without an explicit scheme the value must contain a digit, so "Authorization: required
    // for admins" stays readable while real credentials (always mixed) are caught.
    pattern: new RegExp(
      String.raw`${WORD_START}(authorization["']?\s*[:=]\s*["']?)(?:(bearer|token|basic|digest)(\s+))?(${TOKEN_CHARS}{8,})`,
      'gi',
    ),
    replace: (match, prefix = '', scheme, space = '', value = '') =>
      scheme || /\d/.test(value) ? `${prefix}${scheme ? scheme + space : ''}${REDACTED}` : match,
  },
  {
    // The digit requirement keeps prose such as "Bearer tokens expire" untouched.
    pattern: new RegExp(String.raw`${WORD_START}(bearer\s+)(?=${TOKEN_CHARS}*\d)${TOKEN_CHARS}{8,}`, 'gi'),
    replace: (_m, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    // The prefixes are distinctive enough to need no boundary check before them.
    pattern: /gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}/g,
    replace: () => REDACTED,
  },
  {
    // OpenAI (sk-, sk-proj-) and Anthropic (sk-ant-) keys. Requiring a digit spares long
    // kebab-case identifiers that merely start with "sk-".
    pattern: /(?:(?<![\w-])|(?<=\\[nrt]))sk-(?=[\w-]*\d)[\w-]{20,}/g,
    replace: () => REDACTED,
  },
];

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The forms a secret takes once it has been URL-encoded or embedded in a JSON string. */
function variantsOf(secret: string): string[] {
  const variants = [secret];
  try {
    variants.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be URL-encoded; the raw value is still covered.
  }
  variants.push(JSON.stringify(secret).slice(1, -1));
  return variants;
}

function compileKnownSecrets(knownSecrets: readonly string[]): RegExp | undefined {
  const values = new Set<string>();
  for (const raw of knownSecrets) {
    // Env values often carry a trailing newline; the trimmed value still covers the whole secret.
    const secret = raw.trim();
    // A secret inside the marker itself would be re-matched on every pass, breaking idempotence.
    if (secret.length < MIN_KNOWN_SECRET_LENGTH || REDACTED.includes(secret)) continue;
    for (const variant of variantsOf(secret)) values.add(variant);
  }
  if (values.size === 0) return undefined;
  // Longest first, so a secret that contains another is replaced whole rather than in pieces.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
}

function applyRules(text: string): string {
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (match: string, ...args: unknown[]) =>
      // replace() appends offset and input after the capture groups; pass only the groups on.
      rule.replace(match, ...(args.slice(0, -2) as string[])),
    );
  }
  return result;
}

/** Builds a reusable redactor; precompiles one regex for the known values (escape regex metachars). */
export function createRedactor(knownSecrets: readonly string[]): (text: string) => string {
  const known = compileKnownSecrets(knownSecrets);
  return (text: string): string => applyRules(known ? text.replace(known, REDACTED) : text);
}

/** Replaces every known secret value (ignore values shorter than 8 chars to avoid mangling text) and every token-shaped string. */
export function redactSecrets(text: string, knownSecrets?: readonly string[]): string {
  return createRedactor(knownSecrets ?? [])(text);
}
