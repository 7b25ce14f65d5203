import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../src/agent/providers/model-client.ts';
import { ModelNotConfiguredError, RunCancelledError, UserFacingError } from '../../src/errors.ts';
import { describeFailure, isPermanentFailure } from '../../src/queue/failure.ts';
import { createRedactor, REDACTED } from '../../src/redact.ts';

const SECRET = 'correct-horse-battery-staple-42';
const redact = createRedactor([SECRET]);
const identity = (text: string) => text;

function octokitError(status: number, method = 'POST', url = 'https://api.github.com/repos/o/r/issues/1/comments?per_page=100') {
  return Object.assign(new Error(`HTTP ${status}`), { status, request: { method, url } });
}

describe('isPermanentFailure', () => {
  test('a UserFacingError (and its subclasses) is permanent', () => {
    expect(isPermanentFailure(new UserFacingError('No model is configured.'))).toBe(true);
    expect(isPermanentFailure(new ModelNotConfiguredError('Set MODEL.'))).toBe(true);
  });

  test('a ModelError is permanent (the SDK already retried)', () => {
    expect(isPermanentFailure(new ModelError('rate_limited', 'openai', 'The model is rate limited.', 429))).toBe(true);
    expect(isPermanentFailure(new ModelError('unavailable', 'anthropic', 'The model is unavailable.', 503))).toBe(true);
  });

  test.each([
    [400, true],
    [401, true],
    [404, true],
    [410, true],
    [422, true],
    [403, false], // may be a secondary rate limit
    [429, false],
    [500, false],
    [502, false],
    [503, false],
  ])('an Octokit-like HTTP %i error: permanent=%s', (status, permanent) => {
    expect(isPermanentFailure(octokitError(status))).toBe(permanent);
    // A plain object of the same shape is judged the same way.
    expect(isPermanentFailure({ status, request: { method: 'GET', url: 'https://api.github.com/x' } })).toBe(permanent);
  });

  test('anything else is worth retrying', () => {
    expect(isPermanentFailure(new Error('socket hang up'))).toBe(false);
    expect(isPermanentFailure(new RunCancelledError())).toBe(false);
    expect(isPermanentFailure('a string')).toBe(false);
    expect(isPermanentFailure(undefined)).toBe(false);
    expect(isPermanentFailure({ status: 404 })).toBe(false); // no request: not an Octokit error
    expect(isPermanentFailure({ status: '404', request: {} })).toBe(false);
  });
});

describe('describeFailure', () => {
  test('a UserFacingError is shown as is', () => {
    expect(describeFailure(new UserFacingError('No model is configured: set MODEL.'), identity)).toBe('No model is configured: set MODEL.');
  });

  test('a ModelError is shown as is', () => {
    expect(describeFailure(new ModelError('auth', 'openai', 'The OpenAI API key was rejected.', 401), identity)).toBe('The OpenAI API key was rejected.');
  });

  test('an Octokit-like error names the status, method and path, without the query string', () => {
    expect(describeFailure(octokitError(404, 'GET', 'https://api.github.com/repos/o/r/issues/9?access_token=abc'), identity)).toBe('GitHub answered HTTP 404 to GET /repos/o/r/issues/9.');
    expect(describeFailure({ status: 502, request: {} }, identity)).toBe('GitHub answered HTTP 502 to a request the API.');
  });

  test('a plain Error gives its first line only', () => {
    expect(describeFailure(new Error('disk full\n    at write (fs.js:1)\n    at main'), identity)).toBe('An unexpected error stopped the run: disk full');
    expect(describeFailure('thrown string', identity)).toBe('An unexpected error stopped the run: thrown string');
  });

  test('a long message is cut at 300 characters', () => {
    const message = describeFailure(new Error('e'.repeat(1_000)), identity);
    expect(message).toBe(`An unexpected error stopped the run: ${'e'.repeat(300)}…`);
  });

  test('the redactor is applied to every kind of failure', () => {
    const token = `ghp_${'a1B2'.repeat(10)}`;
    for (const error of [
      new UserFacingError(`Could not push with ${SECRET}.`),
      new ModelError('bad_request', 'openai', `Rejected key ${SECRET}.`, 400),
      new Error(`clone of https://x-access-token:${SECRET}@github.com/o/r failed`),
      new Error(`auth failed for ${token}`),
    ]) {
      const message = describeFailure(error, redact);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(token);
      expect(message).toContain(REDACTED);
    }
  });

  test('a secret cut by the 300-character limit does not leak its first characters', () => {
    // The known secret starts at character 290 of the detail, so the cut keeps its first 10 characters.
    const message = describeFailure(new Error(`${'p'.repeat(290)}${SECRET} and more`), redact);
    expect(message).not.toContain(SECRET.slice(0, 10));
  });
});
