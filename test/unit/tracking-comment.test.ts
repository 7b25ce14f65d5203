import { describe, test, expect } from '@jest/globals';
import { REDACTED } from '../../src/redact.ts';
import {
  GITHUB_COMMENT_LIMIT,
  renderCancelComment,
  renderHelpComment,
  renderRefusalComment,
  renderTrackingComment,
  renderUnavailableComment,
  trackingMarker,
  type RunFooter,
  type TrackingCommentView,
} from '../../src/reporting/tracking-comment.ts';

function view(overrides: Partial<TrackingCommentView> = {}): TrackingCommentView {
  return { runId: 42, command: 'chat', requester: 'octocat', status: 'working', steps: [], ...overrides };
}

const footer: RunFooter = {
  model: 'claude-sonnet-4-5',
  inputTokens: 1234,
  outputTokens: 567,
  cachedInputTokens: 120,
  costUsd: 0.0123,
  costKnown: true,
  durationMs: 12_300,
};

describe('trackingMarker', () => {
  test('is a hidden HTML comment naming the run', () => {
    expect(trackingMarker(42)).toBe('<!-- ticketsmith:run=42 -->');
    expect(trackingMarker('abc-1')).toBe('<!-- ticketsmith:run=abc_1 -->');
  });

  test('cannot close the HTML comment early', () => {
    expect(trackingMarker('x --> <b>hi</b>')).not.toContain('-->' + ' <b>');
    expect(trackingMarker('x --> y').match(/-->/g)).toHaveLength(1);
  });

  test('starts every tracking comment', () => {
    expect(renderTrackingComment(view({ runId: 7 })).startsWith('<!-- ticketsmith:run=7 -->\n')).toBe(true);
  });
});

describe('header', () => {
  test.each([
    ['queued', '🕒 **ticketsmith has queued this request**'],
    ['working', '⏳ **ticketsmith is working…**'],
    ['completed', '✅ **ticketsmith finished**'],
    ['failed', '❌ **ticketsmith failed**'],
    ['cancelled', '🛑 **ticketsmith was cancelled**'],
  ] as const)('%s', (status, header) => {
    expect(renderTrackingComment(view({ status }))).toContain(`${header} — \`@chat\` requested by @octocat`);
  });

  test('a command given with its @ is not doubled, and markup is stripped from the login', () => {
    const out = renderTrackingComment(view({ command: '@make_plan', requester: '@dependabot[bot]' }));
    expect(out).toContain('`@make_plan` requested by @dependabot[bot]');
    expect(renderTrackingComment(view({ requester: 'evil<img src=x>' }))).toContain('requested by @evilimgsrcx');
  });
});

describe('steps', () => {
  const steps: TrackingCommentView['steps'] = [
    { id: 'read', label: 'Read the issue', status: 'done' },
    { id: 'search', label: 'Search the code', status: 'active', progress: 45.4, detail: '12 of 30 files' },
    { id: 'answer', label: 'Write the answer', status: 'pending' },
    { id: 'plan', label: 'Update the plan', status: 'skipped' },
    { id: 'push', label: 'Push the branch', status: 'failed', detail: 'permission denied' },
  ];

  test('render as a checklist', () => {
    const out = renderTrackingComment(view({ steps }));
    expect(out).toContain(
      [
        '- [x] Read the issue',
        '- [ ] ⏳ **Search the code** (45%) — 12 of 30 files',
        '- [ ] Write the answer',
        '- [ ] ~~Update the plan~~ (skipped)',
        '- [ ] ❌ Push the branch — permission denied',
      ].join('\n'),
    );
  });

  test('progress is optional and clamped', () => {
    expect(renderTrackingComment(view({ steps: [{ id: 'a', label: 'Go', status: 'active' }] }))).toMatch(/\n- \[ \] ⏳ \*\*Go\*\*$/);
    expect(renderTrackingComment(view({ steps: [{ id: 'a', label: 'Go', status: 'active', progress: 140 }] }))).toContain('**Go** (100%)');
  });

  test('a multi-line detail cannot break out of its list item', () => {
    const out = renderTrackingComment(view({ steps: [{ id: 'a', label: 'Go', status: 'done', detail: 'one\n\n# two' }] }));
    expect(out).toContain('- [x] Go — one # two');
  });

  test('no steps, no checklist', () => {
    expect(renderTrackingComment(view())).not.toContain('- [');
  });
});

describe('body, error and attempt', () => {
  test('body follows the steps', () => {
    const out = renderTrackingComment(view({ status: 'completed', steps: [{ id: 'a', label: 'Read', status: 'done' }], body: 'The **answer**.' }));
    expect(out).toContain('- [x] Read\n\nThe **answer**.');
  });

  test('failure shows the one-sentence error after the body', () => {
    const out = renderTrackingComment(view({ status: 'failed', body: 'Partial answer.', error: 'The model provider rejected the API key.' }));
    expect(out).toContain('Partial answer.\n\n**Error:** The model provider rejected the API key.');
  });

  test('failure without an error still explains itself', () => {
    expect(renderTrackingComment(view({ status: 'failed' }))).toContain('**Error:** The run failed for an unknown reason.');
  });

  test('error is ignored unless the run failed', () => {
    expect(renderTrackingComment(view({ status: 'completed', error: 'stale' }))).not.toContain('stale');
  });

  test('a retry says so', () => {
    expect(renderTrackingComment(view({ attempt: 2 }))).toContain('🔁 Retrying: this is attempt 2, because an earlier attempt did not finish.');
    expect(renderTrackingComment(view({ status: 'completed', attempt: 3 }))).toContain('🔁 This was attempt 3; an earlier attempt did not finish.');
    expect(renderTrackingComment(view({ attempt: 1 }))).not.toContain('🔁');
  });
});

describe('footer', () => {
  test('model, tokens with separators, cached tokens, cost, duration and run log', () => {
    const out = renderTrackingComment(view({ status: 'completed', footer, runUrl: 'https://dash.example/runs/42' }));
    expect(out).toContain(
      '<sub>claude-sonnet-4-5 · 1,234 in (120 cached) / 567 out tokens · $0.0123 · 12.3 s · [run log](https://dash.example/runs/42)</sub>',
    );
    expect(out.endsWith('</sub>')).toBe(true);
  });

  test('unknown cost, no cache, no model, large numbers', () => {
    const out = renderTrackingComment(
      view({ footer: { inputTokens: 1_234_567, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, costKnown: false } }),
    );
    expect(out).toContain('<sub>1,234,567 in / 0 out tokens · cost unknown</sub>');
  });

  test.each([
    [{ costUsd: 2.5 }, '$2.50'],
    [{ costUsd: 0.00001 }, '<$0.0001'],
    [{ durationMs: 400 }, '0.4 s'],
    [{ durationMs: 125_000 }, '2 m 5 s'],
    [{ durationMs: 3_720_000 }, '1 h 2 m'],
  ])('%j renders %s', (patch, expected) => {
    expect(renderTrackingComment(view({ footer: { ...footer, ...patch } }))).toContain(` · ${expected}`);
  });

  test('a run link alone still gets a footer, with link-breaking characters encoded', () => {
    expect(renderTrackingComment(view({ runUrl: 'https://dash.example/runs/(42) x' }))).toContain(
      '<sub>[run log](https://dash.example/runs/%2842%29%20x)</sub>',
    );
  });
});

describe('GitHub size limit', () => {
  const head = 'HEAD-START\n' + 'a'.repeat(99_989) + '\n';
  const tail = 'b'.repeat(99_990) + '\nTAIL-END';
  const body = head + tail;

  test('a 200,000-character body keeps head and tail and says what was cut', () => {
    expect(body.length).toBe(200_000);
    const out = renderTrackingComment(view({ status: 'completed', body, footer }));
    expect(out.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(out.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 2_000);
    expect(out).toContain('✅ **ticketsmith finished**');
    expect(out).toContain('HEAD-START');
    expect(out).toContain('TAIL-END');
    expect(out).toMatch(/… ✂ 1\d\d,\d{3} characters omitted …/);
    expect(out).toContain('<sub>claude-sonnet-4-5 · 1,234 in');
    const omitted = Number(/✂ ([\d,]+) characters/.exec(out)?.[1]?.replace(/,/g, ''));
    const kept = (out.match(/a/g) ?? []).length + (out.match(/b/g) ?? []).length;
    // Every character of the body is either kept or counted as omitted (a few belong to the frame).
    expect(Math.abs(kept + omitted - 199_979)).toBeLessThan(100);
  });

  test('a body that fits is left alone', () => {
    const fits = 'x'.repeat(60_000);
    expect(renderTrackingComment(view({ body: fits }))).toContain(fits);
  });

  test('never cuts inside a surrogate pair', () => {
    for (const pad of [0, 1]) {
      const emoji = 'x'.repeat(pad) + '😀'.repeat(100_000);
      const out = renderTrackingComment(view({ body: emoji }));
      expect(out.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      expect(out).toContain('characters omitted');
      // A lone surrogate has no well-formed UTF-8 encoding, so it would not round-trip.
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  test('closes a code fence opened before the cut and reopens it after', () => {
    const code = 'Intro\n\n```ts\n' + 'const x = 1;\n'.repeat(20_000) + '```\n\nOutro';
    const out = renderTrackingComment(view({ body: code }));
    const [before, after] = out.split(/\n\n_… ✂ [\d,]+ characters omitted …_\n\n/);
    expect(before).toMatch(/const x = 1;\n```$/);
    expect(after).toMatch(/^```ts\n/);
    expect(after?.endsWith('```\n\nOutro')).toBe(true);
    // Balanced fences: the marker itself renders as text, not code.
    expect((before?.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((after?.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  test('a cut outside any fence adds no fences', () => {
    const out = renderTrackingComment(view({ body: '```\ncode\n```\n' + 'word '.repeat(40_000) }));
    expect((out.match(/```/g) ?? []).length).toBe(2);
  });
});

describe('redaction', () => {
  const ghs = `ghs_${'A1b2C3d4E5'.repeat(4)}`;

  test('known secrets and token-shaped strings never reach the comment', () => {
    const out = renderTrackingComment(
      view({
        status: 'failed',
        body: `The token is ${ghs} and the key is super-secret-value.`,
        error: 'Push failed for https://x-access-token:abc12345@github.com/o/r.git',
        secrets: ['super-secret-value'],
      }),
    );
    expect(out).toContain(`The token is ${REDACTED} and the key is ${REDACTED}.`);
    expect(out).toContain(`https://x-access-token:${REDACTED}@github.com/o/r.git`);
    expect(out).not.toContain(ghs);
    expect(out).not.toContain('super-secret-value');
  });

  test('a secret straddling the truncation point is redacted before the cut', () => {
    const secret = 'straddling-secret-' + 's'.repeat(40_000);
    const out = renderTrackingComment(view({ body: 'a'.repeat(38_000) + secret + 'b'.repeat(60_000), secrets: [secret] }));
    expect(out).not.toContain('straddling-secret');
    expect(out.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
  });
});

describe('short replies', () => {
  test('help lists the commands and configured aliases', () => {
    const out = renderHelpComment({ plan: 'make_plan', ask: '@chat' });
    for (const usage of ['`@chat <question>`', '`@make_plan [notes]`', '`@dev [notes]`', '`@help`', '`@cancel`']) {
      expect(out).toContain(`| ${usage} |`);
    }
    expect(out).toContain('- `@ask` → `@chat`\n- `@plan` → `@make_plan`');
    expect(renderHelpComment({})).not.toContain('Aliases');
  });

  test('refusal is one sentence naming the requester', () => {
    expect(renderRefusalComment('octocat')).toBe(
      'Sorry @octocat, only maintainers with write access to this repository can run ticketsmith commands.',
    );
  });

  test('unavailable names the command in code so nobody is pinged', () => {
    expect(renderUnavailableComment('dev')).toBe(
      '`@dev` is not available yet on this installation of ticketsmith. Comment `@help` to see the commands you can use.',
    );
    expect(renderUnavailableComment('@dev')).toContain('`@dev` is not available yet');
  });

  test.each([
    [0, 0, '🛑 Nothing to cancel: there are no queued or running ticketsmith jobs for this issue.'],
    [1, 0, '🛑 Cancelled 1 queued job.'],
    [3, 0, '🛑 Cancelled 3 queued jobs.'],
    [0, 1, '🛑 Asked 1 running job to stop. Its tracking comment will say when it has stopped.'],
    [2, 2, '🛑 Cancelled 2 queued jobs and asked 2 running jobs to stop. Their tracking comments will say when they have stopped.'],
  ])('cancel with %i queued and %i running', (cancelledQueued, cancelRequestedRunning, expected) => {
    expect(renderCancelComment({ cancelledQueued, cancelRequestedRunning })).toBe(expected);
  });

  test('short replies are redacted too', () => {
    const ghp = `ghp_${'Z9y8X7w6V5'.repeat(4)}`;
    expect(renderUnavailableComment(ghp)).not.toContain(ghp);
    expect(renderHelpComment({ [ghp]: 'chat' })).not.toContain(ghp);
  });
});
