import { describe, test, expect } from '@jest/globals';
import { blobUrl, linkCitations, type CitationContext } from '../../src/agent/citations.ts';

const sha = '0123456789abcdef0123456789abcdef01234567';
const BLOB = `https://github.com/octo/repo/blob/${sha}`;
const files = new Map<string, number>([
  ['src/a.ts', 40],
  ['src/b.ts', 10],
  ['README.md', 3],
  ['Makefile', 20],
  ['docs/my file#1?.md', 5],
  ['src/%weird.ts', 2],
  ['src/(group)/page.tsx', 8],
  ['empty.txt', 0],
]);
const ctx: CitationContext = {
  htmlUrl: 'https://github.com/octo/repo/',
  sha,
  fileInfo: (path) => (files.has(path) ? { lines: files.get(path)! } : undefined),
};
const link = (text: string) => linkCitations(text, ctx).text;

describe('blobUrl', () => {
  test.each([
    ['src/a.ts', undefined, undefined, `${BLOB}/src/a.ts`],
    ['src/a.ts', 12, undefined, `${BLOB}/src/a.ts#L12`],
    ['src/a.ts', 12, 30, `${BLOB}/src/a.ts#L12-L30`],
    ['src/a.ts', 12, 12, `${BLOB}/src/a.ts#L12`],
    ['src/a.ts', 30, 12, `${BLOB}/src/a.ts#L12-L30`],
    ['./src/a.ts', 3, undefined, `${BLOB}/src/a.ts#L3`],
    ['docs/my file#1?.md', 2, undefined, `${BLOB}/docs/my%20file%231%3F.md#L2`],
    ['src/%weird.ts', undefined, undefined, `${BLOB}/src/%25weird.ts`],
    ['src/(group)/page.tsx', undefined, undefined, `${BLOB}/src/%28group%29/page.tsx`],
  ])('%s %s-%s', (path, start, end, expected) => {
    expect(blobUrl(ctx, path, start, end)).toBe(expected);
  });

  test('trailing slashes on the repository URL are dropped', () => {
    expect(blobUrl({ htmlUrl: 'https://github.com/o/r//', sha }, 'x.ts')).toBe(`https://github.com/o/r/blob/${sha}/x.ts`);
    expect(blobUrl({ htmlUrl: 'https://github.com/o/r', sha }, 'x.ts')).toBe(`https://github.com/o/r/blob/${sha}/x.ts`);
  });
});

describe('linkCitations: the recognised forms', () => {
  test.each([
    ['`src/a.ts:3-9`', `[\`src/a.ts:3-9\`](${BLOB}/src/a.ts#L3-L9)`],
    ['`src/a.ts:12`', `[\`src/a.ts:12\`](${BLOB}/src/a.ts#L12)`],
    ['`src/a.ts#L3-L9`', `[\`src/a.ts#L3-L9\`](${BLOB}/src/a.ts#L3-L9)`],
    ['`src/a.ts#L12`', `[\`src/a.ts#L12\`](${BLOB}/src/a.ts#L12)`],
    ['`` src/a.ts:5 ``', `[\`\` src/a.ts:5 \`\`](${BLOB}/src/a.ts#L5)`],
  ])('inline code %s', (input, expected) => {
    expect(link(`See ${input} here.`)).toBe(`See ${expected} here.`);
  });

  test.each([
    ['src/a.ts:3-9', `${BLOB}/src/a.ts#L3-L9`],
    ['src/a.ts:12', `${BLOB}/src/a.ts#L12`],
    ['src/a.ts#L3-L9', `${BLOB}/src/a.ts#L3-L9`],
    ['src/a.ts#L12', `${BLOB}/src/a.ts#L12`],
    ['README.md:2', `${BLOB}/README.md#L2`],
    ['Makefile:4', `${BLOB}/Makefile#L4`],
  ])('bare text %s', (input, url) => {
    expect(link(`See ${input} here.`)).toBe(`See [${input}](${url}) here.`);
  });

  test.each([
    ['src/a.ts:3-9', `${BLOB}/src/a.ts#L3-L9`],
    ['src/a.ts#L3-L9', `${BLOB}/src/a.ts#L3-L9`],
    ['src/a.ts#L12', `${BLOB}/src/a.ts#L12`],
    ['./src/a.ts:7', `${BLOB}/src/a.ts#L7`],
    ['src/a.ts', `${BLOB}/src/a.ts`],
    ['<docs/my file#1?.md#L2>', `${BLOB}/docs/my%20file%231%3F.md#L2`],
    ['docs/my%20file%231%3F.md:2', `${BLOB}/docs/my%20file%231%3F.md#L2`],
  ])('Markdown link target %s', (target, url) => {
    expect(link(`The [parser](${target}) does it.`)).toBe(`The [parser](${url}) does it.`);
  });

  test('a link title and a code-span label survive the rewrite', () => {
    expect(link('[`parse`](src/a.ts:3 "the parser")')).toBe(`[\`parse\`](${BLOB}/src/a.ts#L3 "the parser")`);
  });

  test('the returned citations carry the normalised path and lines', () => {
    expect(linkCitations('`./src/a.ts:9-3` and src/b.ts:4 and `README.md`', ctx).citations).toEqual([
      { path: 'src/a.ts', startLine: 3, endLine: 9, url: `${BLOB}/src/a.ts#L3-L9` },
      { path: 'src/b.ts', startLine: 4, endLine: 4, url: `${BLOB}/src/b.ts#L4` },
      { path: 'README.md', url: `${BLOB}/README.md` },
    ]);
  });
});

describe('linkCitations: line ranges', () => {
  test.each([
    ['src/b.ts:5-99', '#L5-L10'],
    ['src/b.ts:50-60', '#L10'],
    ['src/b.ts:99', '#L10'],
    ['src/b.ts:0', '#L1'],
    ['src/b.ts:0-3', '#L1-L3'],
    ['src/a.ts:9-3', '#L3-L9'],
    ['src/b.ts#L12-L2', '#L2-L10'],
  ])('%s → %s', (input, fragment) => {
    const path = input.replace(/[:#].*/, '');
    expect(link(`\`${input}\``)).toBe(`[\`${input}\`](${BLOB}/${path}${fragment})`);
  });

  test('an empty file is linked without a line', () => {
    expect(link('`empty.txt:1`')).toBe(`[\`empty.txt:1\`](${BLOB}/empty.txt)`);
  });
});

describe('linkCitations: what is left alone', () => {
  test.each([
    ['an unknown path in code', 'See `src/nope.ts:3-9`.'],
    ['an unknown bare path', 'See src/nope.ts:3 here.'],
    ['an unknown link target', 'See [it](src/nope.ts#L3).'],
    ['a bare path without a line', 'Edit src/a.ts and README.md next.'],
    ['a citation that is only part of a code span', 'Call `parse(src/a.ts:3)` first.'],
    ['a column after the line', 'Error at src/a.ts:3:5 today.'],
    ['a decimal', 'Version src/a.ts:3.5 today.'],
    ['the tail of a word', 'See xsrc/a.ts:3 here.'],
    ['a path after an equals sign', 'Use file=src/a.ts:3 here.'],
    ['an absolute link', 'See [parser](https://github.com/octo/repo/blob/main/src/a.ts#L3).'],
    ['an absolute link whose label is a citation', 'See [src/a.ts:3](https://example.com/x).'],
    ['a bare URL', 'See https://example.com/src/a.ts:3 and https://github.com/o/r/blob/main/src/a.ts#L3.'],
    ['an autolink', 'See <https://example.com/src/a.ts#L3>.'],
    ['an image', '![diagram](src/a.ts:3) and ![d](src/a.ts)'],
    ['an anchor link', 'See [above](#L3).'],
    ['an HTML attribute', '<a href="src/a.ts:3">here</a>'],
    ['an escaped bracket', String.raw`\[x](https://e.com/src/a.ts:3)`],
  ])('%s', (_, input) => {
    const result = linkCitations(input, ctx);
    expect(result.text).toBe(input);
    expect(result.citations).toEqual([]);
  });

  test.each([
    ['a leading slash', '`/src/a.ts:3` and /src/a.ts:3 and [x](/src/a.ts:3)'],
    ['a parent segment', '`src/../a.ts:3` and src/../a.ts:3 and [x](../a.ts:3)'],
    ['a dot segment inside', '`src/./a.ts:3`'],
    ['a backslash', String.raw`\`src\a.ts:3\``],
  ])('paths with %s, even when the workspace would answer', (_, input) => {
    const seen: string[] = [];
    const permissive: CitationContext = { ...ctx, fileInfo: (path) => (seen.push(path), { lines: 100 }) };
    expect(linkCitations(input, permissive).text).toBe(input);
    expect(seen).toEqual([]);
  });

  test('fenced code blocks are copied verbatim, whatever the fence', () => {
    const answer = [
      'Before `src/a.ts:1`.',
      '```ts',
      'const x = "src/a.ts:3"; // `src/a.ts:4` [y](src/a.ts:5)',
      '```',
      '~~~',
      'src/a.ts:6',
      '```',
      'still inside the tilde fence: src/a.ts:7',
      '~~~',
      '  > ````md',
      '  > ```',
      '  > src/a.ts:8',
      '  > ````',
      'After src/a.ts:9.',
      '```',
      'an unclosed fence runs to the end: src/a.ts:10',
    ].join('\n');
    const result = linkCitations(answer, ctx);
    const expected = answer
      .replace('`src/a.ts:1`', `[\`src/a.ts:1\`](${BLOB}/src/a.ts#L1)`)
      .replace('After src/a.ts:9.', `After [src/a.ts:9](${BLOB}/src/a.ts#L9).`);
    expect(result.text).toBe(expected);
    expect(result.citations.map((c) => c.startLine)).toEqual([1, 9]);
  });

  test('a one-line triple-backtick code span is not a fence', () => {
    expect(link('```src/a.ts:3``` and src/a.ts:4')).toBe(
      `[\`\`\`src/a.ts:3\`\`\`](${BLOB}/src/a.ts#L3) and [src/a.ts:4](${BLOB}/src/a.ts#L4)`,
    );
  });
});

describe('linkCitations: punctuation and boundaries', () => {
  test.each([
    ['see src/a.ts:3.', `see [src/a.ts:3](${BLOB}/src/a.ts#L3).`],
    ['(src/a.ts:3-9), then', `([src/a.ts:3-9](${BLOB}/src/a.ts#L3-L9)), then`],
    ['**src/a.ts:3**', `**[src/a.ts:3](${BLOB}/src/a.ts#L3)**`],
    ['"src/a.ts#L3";', `"[src/a.ts#L3](${BLOB}/src/a.ts#L3)";`],
    ['src/a.ts:3-', `[src/a.ts:3](${BLOB}/src/a.ts#L3)-`],
    ['src/a.ts:3:', `[src/a.ts:3](${BLOB}/src/a.ts#L3):`],
    ['./src/a.ts:3?', `[./src/a.ts:3](${BLOB}/src/a.ts#L3)?`],
    ['| src/a.ts:3 |', `| [src/a.ts:3](${BLOB}/src/a.ts#L3) |`],
    ['> src/a.ts:3\r', `> [src/a.ts:3](${BLOB}/src/a.ts#L3)\r`],
  ])('%j', (input, expected) => {
    expect(link(input)).toBe(expected);
  });

  test('a path in backticks without a line links the file; the same words in prose do not', () => {
    expect(link('Open `src/a.ts` (not src/a.ts).')).toBe(`Open [\`src/a.ts\`](${BLOB}/src/a.ts) (not src/a.ts).`);
  });

  test('a citation inside brackets that do not form a link is still linked', () => {
    expect(link('[see src/a.ts:3]')).toBe(`[see [src/a.ts:3](${BLOB}/src/a.ts#L3)]`);
  });

  test('an unmatched backtick does not swallow a later paragraph', () => {
    expect(link('a ` stray\n\nsrc/a.ts:3 and `b`')).toBe(`a \` stray\n\n[src/a.ts:3](${BLOB}/src/a.ts#L3) and \`b\``);
  });
});

describe('linkCitations: encoding and the citation list', () => {
  test('special characters in a code-span path are encoded per segment', () => {
    expect(link('`docs/my file#1?.md:2` and `src/%weird.ts`')).toBe(
      `[\`docs/my file#1?.md:2\`](${BLOB}/docs/my%20file%231%3F.md#L2) and [\`src/%weird.ts\`](${BLOB}/src/%25weird.ts)`,
    );
  });

  test('citations are listed once each, in order of first appearance', () => {
    const result = linkCitations(
      'src/b.ts:2, `src/a.ts:3-9`, [x](./src/a.ts#L3-L9), src/b.ts:2, src/a.ts:3, src/b.ts:2-2, src/nope.ts:1',
      ctx,
    );
    expect(result.citations.map((c) => c.url)).toEqual([
      `${BLOB}/src/b.ts#L2`,
      `${BLOB}/src/a.ts#L3-L9`,
      `${BLOB}/src/a.ts#L3`,
    ]);
  });

  test('each path is asked about once per answer', () => {
    const asked: string[] = [];
    const counting: CitationContext = { ...ctx, fileInfo: (path) => (asked.push(path), ctx.fileInfo(path)) };
    linkCitations('src/a.ts:1 src/a.ts:2 `./src/a.ts` src/nope.ts:1 src/nope.ts:2', counting);
    expect(asked).toEqual(['src/a.ts', 'src/nope.ts']);
  });
});

describe('linkCitations: long answers', () => {
  test('a 200 KB answer mixing every construct goes through', () => {
    const block = [
      'See `src/a.ts:3-9`, src/b.ts:2 and [x](src/a.ts#L4).\n',
      '```\nsrc/a.ts:1\n```\n',
      'https://example.com/src/a.ts:3 <b>x</b> ![i](src/a.ts:1)\n\n',
    ].join('');
    const answer = block.repeat(Math.ceil(200_000 / block.length));
    const result = linkCitations(answer, ctx);
    expect(result.citations).toHaveLength(3);
    expect(result.text.length).toBeGreaterThan(answer.length);
  });

  test.each([
    ['open brackets', '['],
    ['unclosed links', '[a]('],
    ['unclosed links with long targets', `[a](${'x'.repeat(300)}`],
    ['unclosed titles', '[a](x ('],
    ['backtick runs of growing length', '`a``b```c'],
    ['open angle brackets', '<a '],
    ['path-like text', 'a/b.c:1-'],
    ['stray exclamation brackets', '![x]'],
  ])('a 200 KB answer of %s goes through unchanged', (_, unit) => {
    const answer = unit.repeat(Math.ceil(200_000 / unit.length));
    expect(link(answer)).toBe(answer);
  });
});
