import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { PlanSchema, repositoryPathProblem, type Plan } from '../../src/plans/plan.ts';
import { renderPlan } from '../../src/plans/render-plan.ts';

const ZWJ = '\u200D';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const blobUrl = (path: string) => `https://github.com/octo/repo/blob/${SHA}/${path}`;

const fullPlan: Plan = {
  summary: 'Store plans as versions on the ticket.\n\nRender each version as a checklist.',
  files: [
    { path: 'src/db/plans.ts', action: 'create', intent: 'Repository for plan versions.' },
    { path: 'src/app.ts', action: 'modify', intent: 'Wire `@make_plan` to the worker.' },
    { path: 'src/old.ts', action: 'delete', intent: 'Superseded.' },
  ],
  steps: ['Write the schema', 'Write `renderPlan`', 'Store versions'],
  tests: [
    { description: 'Renders a full plan', command: 'npm test -- render-plan' },
    { description: 'Manual check on a real issue' },
  ],
  risks: ['Concurrent inserts on one ticket'],
  open_questions: ['Keep every version forever?'],
  estimate: { size: 'M', rationale: 'Three small modules.' },
};

const minimalPlan: Plan = {
  summary: 'Rename a function.',
  files: [],
  steps: ['Rename it'],
  tests: [],
  risks: [],
  open_questions: [],
  estimate: { size: 'XS', rationale: 'One line.' },
};

const withSummary = (summary: string): Plan => ({ ...minimalPlan, summary });
const withStep = (step: string): Plan => ({ ...minimalPlan, steps: [step] });
const withIntent = (intent: string, path = 'src/a.ts'): Plan => ({ ...minimalPlan, files: [{ path, action: 'modify', intent }] });
const meta = { version: 1, sha: SHA };

/** The lines of one section, from its heading to the next blank line. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`no section ${heading} in:\n${markdown}`);
  const end = lines.indexOf('', start + 2);
  return lines.slice(start + 2, end === -1 ? undefined : end);
}

describe('renderPlan', () => {
  test('renders every section of a full plan, linking files that exist at the planned commit', () => {
    expect(renderPlan(fullPlan, { version: 1, sha: SHA, blobUrl })).toBe(
      [
        '## Plan v1',
        '',
        'Store plans as versions on the ticket.',
        '',
        'Render each version as a checklist.',
        '',
        '### Files',
        '',
        '| Action | File | What changes |',
        '| --- | --- | --- |',
        '| create | `src/db/plans.ts` | Repository for plan versions. |',
        `| modify | [\`src/app.ts\`](https://github.com/octo/repo/blob/${SHA}/src/app.ts) | Wire \`@${ZWJ}make_plan\` to the worker. |`,
        `| delete | [\`src/old.ts\`](https://github.com/octo/repo/blob/${SHA}/src/old.ts) | Superseded. |`,
        '',
        '### Steps',
        '',
        '- [ ] Write the schema',
        '- [ ] Write `renderPlan`',
        '- [ ] Store versions',
        '',
        '### Tests',
        '',
        '| Test | Command |',
        '| --- | --- |',
        '| Renders a full plan | `npm test -- render-plan` |',
        '| Manual check on a real issue | — |',
        '',
        '### Risks',
        '',
        '- Concurrent inserts on one ticket',
        '',
        '### Open questions',
        '',
        '- Keep every version forever?',
        '',
        'Estimate: **M** — Three small modules.',
        '',
        '<sub>Planned against commit `0123456`.</sub>',
      ].join('\n'),
    );
  });

  test('omits empty optional sections, and links nothing without blobUrl', () => {
    expect(renderPlan(minimalPlan, meta)).toBe(
      [
        '## Plan v1',
        '',
        'Rename a function.',
        '',
        '### Steps',
        '',
        '- [ ] Rename it',
        '',
        'Estimate: **XS** — One line.',
        '',
        '<sub>Planned against commit `0123456`.</sub>',
      ].join('\n'),
    );
    expect(section(renderPlan(fullPlan, meta), '### Files')).toEqual([
      '| Action | File | What changes |',
      '| --- | --- | --- |',
      '| create | `src/db/plans.ts` | Repository for plan versions. |',
      `| modify | \`src/app.ts\` | Wire \`@${ZWJ}make_plan\` to the worker. |`,
      '| delete | `src/old.ts` | Superseded. |',
    ]);
  });

  test('a revision names the version it revises', () => {
    expect(renderPlan(minimalPlan, { version: 3, basedOn: 2, sha: SHA }).split('\n')[0]).toBe('## Plan v3 (revises v2)');
  });

  test('the commit line shows a short sha, and never raw text from the caller', () => {
    expect(renderPlan(minimalPlan, { version: 1, sha: 'ABCDEF0123456789' })).toMatch(/\n<sub>Planned against commit `abcdef0`\.<\/sub>$/);
    expect(renderPlan(minimalPlan, { version: 1, sha: '`<!-- x' })).toMatch(/\n<sub>Planned against commit `unknown`\.<\/sub>$/);
  });

  test('links escape characters that would end the link or the table cell', () => {
    const plan = withIntent('x', 'docs/a b (draft)|v2.md');
    const rendered = renderPlan(plan, { ...meta, blobUrl: (path) => `https://example.test/blob/${path}` });
    expect(section(rendered, '### Files')[2]).toBe('| modify | [`docs/a b (draft)\\|v2.md`](https://example.test/blob/docs/a%20b%20%28draft%29%7Cv2.md) | x |');
  });

  describe('escaping model text', () => {
    test('a pipe cannot split a table cell, in prose, paths or commands', () => {
      const plan: Plan = {
        ...withIntent('use a | b, or `a | b`', 'src/a|b.ts'),
        tests: [{ description: 'x | y', command: "grep -E 'a|b' src" }],
      };
      const rendered = renderPlan(plan, meta);
      expect(section(rendered, '### Files')[2]).toBe('| modify | `src/a\\|b.ts` | use a \\| b, or `a \\| b` |');
      expect(section(rendered, '### Tests')[2]).toBe("| x \\| y | `grep -E 'a\\|b' src` |");
    });

    test('a newline cannot end a table row or a list item', () => {
      const rendered = renderPlan({ ...withIntent('first line\n| injected | row |\r\nlast'), steps: ['one\n- [x] fake done step'] }, meta);
      expect(section(rendered, '### Files')[2]).toBe('| modify | `src/a.ts` | first line \\| injected \\| row \\| last |');
      expect(section(rendered, '### Steps')).toEqual(['- [ ] one - [x] fake done step']);
    });

    test('HTML comments and tags cannot hide what follows', () => {
      const rendered = renderPlan({ ...withSummary('Visible <!-- hidden -->\n<details>\n\nfolded'), steps: ['a <!-- b'] }, meta);
      expect(rendered).toContain(`\n\nVisible <${ZWJ}!-- hidden -->\n<${ZWJ}details>\n\nfolded\n\n`);
      expect(section(rendered, '### Steps')).toEqual([`- [ ] a <${ZWJ}!-- b`]);
      expect(renderPlan(withIntent('x <!-- y'), meta)).toContain(`| x <${ZWJ}!-- y |`);
      // Comparisons and generics are not tags, and stay untouched.
      expect(renderPlan(withStep('keep a < b and `Array<Plan>`'), meta)).toContain(`- [ ] keep a < b and \`Array<${ZWJ}Plan>\``);
    });

    test('@mentions of users and teams do not ping', () => {
      const rendered = renderPlan({ ...withSummary('Ask @octocat and @octo-org/reviewers'), risks: ['@dependabot[bot] may conflict'] }, meta);
      expect(rendered).toContain(`Ask @${ZWJ}octocat and @${ZWJ}octo-org/reviewers`);
      expect(section(rendered, '### Risks')).toEqual([`- @${ZWJ}dependabot[bot] may conflict`]);
      expect(rendered).not.toMatch(/@[A-Za-z0-9]/);
      // Entities decode before GitHub looks for mentions, so they are shown as typed instead.
      expect(renderPlan(withStep('cc &#64;octocat &commat;hubot &#x40;mona'), meta)).toContain(`- [ ] cc &${ZWJ}#64;octocat &${ZWJ}commat;hubot &${ZWJ}#x40;mona`);
    });

    test('paths and commands are code spans of our own: left as typed, so they copy cleanly', () => {
      const plan: Plan = { ...withIntent('x', 'packages/@scope/<app>/index.ts'), tests: [{ description: 'd', command: 'pnpm --filter @scope/app test <!--' }] };
      const rendered = renderPlan(plan, meta);
      expect(section(rendered, '### Files')[2]).toBe('| modify | `packages/@scope/<app>/index.ts` | x |');
      expect(section(rendered, '### Tests')[2]).toBe('| d | `pnpm --filter @scope/app test <!--` |');
    });

    test('code fences cannot open, so they cannot swallow or close anything', () => {
      const summary = 'Before\n```ts\nconst a = 1;\n```\n~~~~\nafter';
      const rendered = renderPlan({ ...withSummary(summary), risks: ['```', '~~~ tilde fence'] }, meta);
      expect(section(rendered, '## Plan v1')).toEqual(['Before', `\`\`${ZWJ}\`ts`, 'const a = 1;', `\`\`${ZWJ}\``, `~~${ZWJ}~~`, 'after']);
      expect(section(rendered, '### Risks')).toEqual([`- \`\`${ZWJ}\``, `- ~~${ZWJ}~ tilde fence`]);
      expect(rendered).not.toMatch(/```|~~~/);
      // Single and double backticks are ordinary code spans and ~~ is strikethrough: both survive.
      expect(renderPlan(withStep('use `a` and ``b`` and ~~old~~'), meta)).toContain('- [ ] use `a` and ``b`` and ~~old~~');
    });

    test('a command with backticks stays one code span', () => {
      const rendered = renderPlan({ ...minimalPlan, tests: [{ description: 'd', command: 'echo `date` ``x``' }] }, meta);
      expect(section(rendered, '### Tests')[2]).toBe('| d | ``` echo `date` ``x`` ``` |');
      expect(renderPlan(withIntent('x', 'src/`odd`.ts'), meta)).toContain('| modify | ``src/`odd`.ts`` | x |');
      expect(renderPlan(withIntent('x', '`edge`'), meta)).toContain('| modify | `` `edge` `` | x |');
    });

    test('link reference definitions, which render as nothing, stay visible', () => {
      const rendered = renderPlan({ ...withSummary('[note]: https://example.test "hidden text"'), risks: ['[^1]: footnote'] }, meta);
      expect(rendered).toContain(`[note]${ZWJ}: https://example.test "hidden text"`);
      expect(rendered).toContain(`- [^1]${ZWJ}: footnote`);
    });

    test('a list item cannot open a nested list, task, quote, heading or rule', () => {
      const risks = ['- [x] nested task', '[x] task', '---', '> quote', '# heading', '2. ordered', '1) ordered', '+ plus', '[link](https://example.test) first'];
      expect(section(renderPlan({ ...minimalPlan, risks }, meta), '### Risks')).toEqual([
        '- \\- [x] nested task',
        '- \\[x] task',
        '- \\---',
        '- \\> quote',
        '- \\# heading',
        '- 2\\. ordered',
        '- 1\\) ordered',
        '- \\+ plus',
        '- [link](https://example.test) first',
      ]);
    });

    test('headings in the summary cannot pose as plan sections', () => {
      expect(section(renderPlan(withSummary('Intro\n### Steps\n- [ ] fake'), meta), '## Plan v1')).toEqual(['Intro', '\\### Steps', '- [ ] fake']);
    });

    test('invisible bidi controls and tag characters are dropped', () => {
      const smuggled = [...'hi'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
      expect(renderPlan(withStep(`safe\u202Etxt.exe${smuggled}\u0007`), meta)).toContain('- [ ] safetxt.exe\n');
    });
  });
});

describe('PlanSchema', () => {
  const problems = (input: unknown): string[] => {
    const result = PlanSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  test('accepts a full plan and a minimal one, trimming prose', () => {
    expect(PlanSchema.parse(fullPlan)).toEqual(fullPlan);
    expect(PlanSchema.parse({ ...minimalPlan, summary: '  padded \n' }).summary).toBe('padded');
  });

  test('names the field of every problem', () => {
    expect(
      problems({
        ...fullPlan,
        summary: '   ',
        files: [{ path: '../secrets', action: 'rename', intent: 'x' }],
        steps: [],
        tests: [{ description: 'd', command: '' }],
        estimate: { size: 'XXL', rationale: 'r', extra: 1 },
      }),
    ).toEqual([
      'summary: Too small: expected string to have >=1 characters',
      'files.0.path: path must not contain ".." segments',
      'files.0.action: Invalid option: expected one of "modify"|"create"|"delete"',
      'steps: Too small: expected array to have >=1 items',
      'tests.0.command: Too small: expected string to have >=1 characters',
      'estimate.size: Invalid option: expected one of "XS"|"S"|"M"|"L"|"XL"',
      'estimate: Unrecognized key: "extra"',
    ]);
    expect(problems({ ...fullPlan, notes: 'x' })).toEqual([': Unrecognized key: "notes"']);
    expect(problems({ ...fullPlan, steps: Array.from({ length: 51 }, () => 's') })).toEqual(['steps: Too big: expected array to have <=50 items']);
  });

  test('paths must be repository-relative', () => {
    const pathProblem = (path: string) => problems({ ...minimalPlan, files: [{ path, action: 'modify', intent: 'x' }] });
    expect(pathProblem('/etc/passwd')).toEqual(['files.0.path: path must be relative to the repository root, without a leading "/"']);
    expect(pathProblem('C:/work/a.ts')).toEqual(['files.0.path: path must be relative to the repository root, without a leading "/"']);
    expect(pathProblem('src/../../a.ts')).toEqual(['files.0.path: path must not contain ".." segments']);
    expect(pathProblem('src\\a.ts')).toEqual(['files.0.path: path must use "/" as the separator, not "\\"']);
    expect(pathProblem('src/a\nb.ts')).toEqual(['files.0.path: path must not contain control characters or line breaks']);
    expect(pathProblem('')).toEqual(['files.0.path: Too small: expected string to have >=1 characters']);
    for (const ok of ['src/a..b.ts', '.github/workflows/ci.yml', 'README', 'docs/...md']) expect(repositoryPathProblem(ok)).toBeUndefined();
  });

  test('converts to JSON Schema for the model, describing every field', () => {
    const schema = z.toJSONSchema(PlanSchema, { io: 'input' }) as Record<string, unknown>;
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['summary', 'files', 'steps', 'tests', 'risks', 'open_questions', 'estimate'],
    });
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, where: string): void => {
      if (node.type === 'object') expect(node.additionalProperties).toBe(false);
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== 'string' || child.description === '') undescribed.push(`${where}${name}`);
        walk(child, `${where}${name}.`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${where}[].`);
    };
    walk(schema, '');
    expect(undescribed).toEqual([]);
    expect(JSON.stringify(schema)).toContain('"enum":["modify","create","delete"]');
  });
});
