import { describe, test, expect } from '@jest/globals';
import { REDACTED, createRedactor, redactSecrets } from '../../src/redact.ts';

// Fake tokens are assembled at runtime so no token-shaped literal sits in the repository.
const alnum36 = 'A1b2C3d4E5'.repeat(3) + 'f6G7h8';
const ghp = `ghp_${alnum36}`;
const ghs = `ghs_${alnum36}`;
const fineGrained = `github_pat_11ABCDEFG0${'aB3'.repeat(8)}_${'xY7z'.repeat(15)}`;
const openAi = `sk-${'Ab1_'.repeat(6)}`;
const openAiProject = `sk-proj-${'Xy9-z'.repeat(8)}`;
const anthropic = `sk-ant-api03-${'Qw3e'.repeat(10)}-AA`;
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
const pemBody = 'MIIEowIBAAKCAQEA7V\nq3xJ9kZy+/abc=\n';
const pem = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}-----END RSA PRIVATE KEY-----`;
const pemEscaped = `-----BEGIN PRIVATE KEY-----\\n${pemBody.replace(/\n/g, '\\n')}-----END PRIVATE KEY-----\\n`;

describe('redactSecrets: token-shaped strings', () => {
  test.each([
    ['classic PAT', `use ${ghp} to push`, `use ${REDACTED} to push`],
    ['installation token', `GH_TOKEN=${ghs}`, `GH_TOKEN=${REDACTED}`],
    ['OAuth token', `gho_${alnum36}`, REDACTED],
    ['user-to-server token', `(ghu_${alnum36})`, `(${REDACTED})`],
    ['refresh token', `"ghr_${alnum36}"`, `"${REDACTED}"`],
    ['longer than 36 chars', `ghs_${alnum36}XYZ.`, `${REDACTED}.`],
    ['fine-grained PAT', `token: ${fineGrained}\n`, `token: ${REDACTED}\n`],
    [
      'x-access-token in a git remote',
      `fatal: could not read from https://x-access-token:${ghs}@github.com/o/r.git`,
      `fatal: could not read from https://x-access-token:${REDACTED}@github.com/o/r.git`,
    ],
    ['database URL', 'postgres://app:s3cr3t-pw@db.internal:5432/app', `postgres://app:${REDACTED}@db.internal:5432/app`],
    ['URL with empty user', 'https://:hunter22@example.com/', `https://:${REDACTED}@example.com/`],
    ['OpenAI key', `OPENAI_API_KEY=${openAi}`, `OPENAI_API_KEY=${REDACTED}`],
    ['OpenAI project key', `key ${openAiProject} end`, `key ${REDACTED} end`],
    ['Anthropic key', `x-api-key: ${anthropic}`, `x-api-key: ${REDACTED}`],
    ['Authorization: Bearer', `Authorization: Bearer ${jwt}`, `Authorization: Bearer ${REDACTED}`],
    ['Authorization: token', 'authorization: token abcdef0123456789', `authorization: token ${REDACTED}`],
    ['Authorization: Basic, all letters', 'Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${REDACTED}`],
    ['Authorization in JSON', '{"authorization":"Bearer abc123def456"}', `{"authorization":"Bearer ${REDACTED}"}`],
    ['Authorization without scheme', 'Authorization: 0123abcdef9876', `Authorization: ${REDACTED}`],
    ['bare Bearer value', `curl -H "X: Bearer ${jwt}"`, `curl -H "X: Bearer ${REDACTED}"`],
    ['PEM block', `key:\n${pem}\ndone`, `key:\n${REDACTED}\ndone`],
    ['PEM block with literal \\n escapes', `PRIVATE_KEY="${pemEscaped}"`, `PRIVATE_KEY="${REDACTED}\\n"`],
    ['OpenSSH key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----', REDACTED],
    ['PEM cut off before END', `-----BEGIN PRIVATE KEY-----\n${pemBody}`, REDACTED],
    ['two tokens on one line', `${ghp} and ${ghs}`, `${REDACTED} and ${REDACTED}`],
    ['tokens after escaped newlines in a JSON log line', `"msg":"a\\n${anthropic}\\nBearer ${jwt}\\n${ghs}"`, `"msg":"a\\n${REDACTED}\\nBearer ${REDACTED}\\n${REDACTED}"`],
    ['Proxy-Authorization header', `Proxy-Authorization: Bearer ${jwt}`, `Proxy-Authorization: Bearer ${REDACTED}`],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('redactSecrets: text that must stay unchanged', () => {
  test.each([
    ['prose', 'The quick brown fox jumps over the lazy dog; see section 4.2 for details.'],
    ['URL without credentials', 'https://github.com/octo/repo/pull/12#issuecomment-123?x=1'],
    ['URL with a port and a path containing @', 'http://localhost:8080/users/@me'],
    ['JSON with a URL then an email', '{"url":"https://host:443","email":"a@b.example"}'],
    ['scp-style git remote', 'git@github.com:octo/repo.git'],
    ['email', 'mail maintainer@example.com'],
    ['SHA-1', 'commit 3f786850e387550fdab836ed7e6dc881de23001b'],
    ['SHA-256', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['UUID', 'run 123e4567-e89b-12d3-a456-426614174000'],
    ['Bearer in prose', 'Bearer tokens expire after an hour; the bearer must refresh them.'],
    ['Authorization in prose', 'Authorization: required for every endpoint.'],
    ['short token-like prefixes', 'ghp_short and sk-123 and github_pat_x'],
    ['kebab-case identifier starting with sk-', 'use sk-learn-compatible-estimator-interface here'],
    ['words containing sk-', 'the task-force-with-a-very-long-hyphenated-name1 met'],
    ['PEM public key', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['code', 'const token = process.env.GITHUB_TOKEN; // never log it'],
    ['the marker itself', `value ${REDACTED} here`],
  ])('%s', (_name, input) => {
    expect(redactSecrets(input)).toBe(input);
  });
});

describe('known secrets', () => {
  test('replaces every occurrence of a known value', () => {
    const secret = 'webhook-secret-value';
    expect(redactSecrets(`a ${secret} b ${secret}${secret}`, [secret])).toBe(`a ${REDACTED} b ${REDACTED}${REDACTED}`);
  });

  test('regex metacharacters in the secret are matched literally', () => {
    const secret = 'p@ss.w*rd(+)?[x]{2}|^$\\/';
    const text = `one ${secret} two ${secret}`;
    expect(redactSecrets(text, [secret])).toBe(`one ${REDACTED} two ${REDACTED}`);
    // Unescaped, "." would match any character; the near miss must survive.
    expect(redactSecrets('p@ssXw*rd', [secret])).toBe('p@ssXw*rd');
  });

  test('values shorter than 8 characters are ignored', () => {
    expect(redactSecrets('the cat sat', ['cat', 'sat', ''])).toBe('the cat sat');
  });

  test('surrounding whitespace in the configured value is ignored', () => {
    expect(redactSecrets('x=abcdefghij;', ['  abcdefghij\n'])).toBe(`x=${REDACTED};`);
  });

  test('a secret containing another is replaced whole', () => {
    expect(redactSecrets('[longsecret-123456]', ['longsecret', 'longsecret-123456'])).toBe(`[${REDACTED}]`);
  });

  test('URL-encoded and JSON-escaped forms are caught', () => {
    const secret = 'pa ss/word+"x"';
    expect(redactSecrets(`https://h/?k=${encodeURIComponent(secret)}`, [secret])).toBe(`https://h/?k=${REDACTED}`);
    expect(redactSecrets(JSON.stringify({ k: secret }), [secret])).toBe(`{"k":"${REDACTED}"}`);
    const multiLine = 'line-one\nline-two';
    expect(redactSecrets(JSON.stringify({ k: multiLine }), [multiLine])).toBe(`{"k":"${REDACTED}"}`);
  });

  test('createRedactor is reusable and agrees with redactSecrets', () => {
    const redact = createRedactor(['first-secret', 'second-secret']);
    for (const text of ['first-secret', `x second-secret ${ghs}`, 'nothing here']) {
      expect(redact(text)).toBe(redactSecrets(text, ['first-secret', 'second-secret']));
    }
    expect(redact('first-secret')).toBe(REDACTED);
    expect(redact('first-secret')).toBe(REDACTED);
  });
});

describe('idempotence (property style)', () => {
  // A small seeded PRNG keeps the generated cases identical on every run.
  function mulberry32(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const known = ['known-secret-1', 'a.b*c(d)+e'];
  const fragments = [
    ghp, ghs, fineGrained, openAi, openAiProject, anthropic, jwt, pem, pemEscaped, ...known,
    'Authorization:', 'authorization: token', 'Bearer', 'bearer', 'https://', 'user:pw', '@', 'host',
    'postgres://u:p@h', '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', 'sk-', 'ghp_', 'github_pat_',
    REDACTED, 'hello world', '3f786850e387550fdab836ed7e6dc881de23001b', '"', '\\n', '12345678', 'abc',
  ];
  function generate(seed: number, separators: readonly string[]): string[] {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    return Array.from({ length: 500 }, () => {
      const parts: string[] = [];
      const count = 1 + Math.floor(random() * 8);
      for (let j = 0; j < count; j++) parts.push(pick(fragments), pick(separators));
      return parts.join('');
    });
  }
  const redact = createRedactor(known);

  test('redacting twice equals redacting once, even for fragments glued together', () => {
    for (const text of generate(42, ['', ' ', '\n', ':', '/', '"', '=', '@'])) {
      const once = redact(text);
      expect({ text, twice: redact(once) }).toEqual({ text, twice: once });
    }
  });

  test('no known value or token survives when separated from its neighbours', () => {
    for (const text of generate(7, [' ', '\n', '"', '=', ', ', '\\n'])) {
      const once = redact(text);
      for (const secret of [ghp, ghs, fineGrained, openAi, openAiProject, anthropic, ...known]) {
        expect({ text, leaked: once.includes(secret) }).toEqual({ text, leaked: false });
      }
    }
  });
});

describe('performance', () => {
  // Log lines and LLM answers can be large; a quadratic pattern would stall the whole process.
  test.each([
    ['dotted text', 'a.'.repeat(100_000)],
    ['hyphenated text', 'a-'.repeat(100_000)],
    ['repeated sk- prefixes', 'sk-'.repeat(50_000)],
    ['unterminated PEM headers', '-----BEGIN PRIVATE KEY-----'.repeat(5_000)],
    ['a long Bearer value without digits', `Bearer ${'a-'.repeat(100_000)}`],
  ])('%s is redacted in linear time', (_name, text) => {
    const started = performance.now();
    redactSecrets(text, ['known-secret-1']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
