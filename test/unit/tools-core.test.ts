import { describe, test, expect } from '@jest/globals';
import { z } from 'zod';
import { READ_ONLY_TOOLS } from '../../src/agent/tools/index.ts';
import { capOutput, defineTool, executeToolCall, toToolSpec, ToolInputError } from '../../src/agent/tools/tool.ts';

const ctx = { root: process.cwd() };

const echo = defineTool({
  name: 'echo',
  description: 'Echo text.',
  input: z.strictObject({ text: z.string(), times: z.number().int().min(1).max(5).default(1) }),
  run: ({ text, times }) => text.repeat(times),
});
const boom = defineTool({
  name: 'boom',
  description: 'Always fails.',
  input: z.strictObject({}),
  run: () => {
    throw new Error('disk on fire\nstack trace line that should not appear');
  },
});
const huge = defineTool({
  name: 'huge',
  description: 'Returns a lot.',
  input: z.strictObject({}),
  run: () => `HEAD${'x'.repeat(1_000_000)}TAIL`,
});
const tools = [echo, boom, huge];

describe('capOutput', () => {
  test('leaves short text alone', () => {
    expect(capOutput('hello', 100)).toBe('hello');
  });

  test('keeps head and tail with an exact omitted count and never exceeds the cap', () => {
    const text = `START${'a'.repeat(20_000)}END`;
    const out = capOutput(text, 1_000);
    expect(out.length).toBeLessThanOrEqual(1_000);
    expect(out.startsWith('START')).toBe(true);
    expect(out.endsWith('END')).toBe(true);
    const omitted = Number(/\[… ([\d,]+) characters omitted …\]/.exec(out)?.[1]?.replaceAll(',', ''));
    const marker = /\n\[…[^\]]*\]\n/.exec(out)?.[0] ?? '';
    expect(omitted).toBe(text.length - (out.length - marker.length));
  });

  test('a cap smaller than the marker still respects the cap', () => {
    expect(capOutput('x'.repeat(100), 10)).toHaveLength(10);
  });
});

describe('executeToolCall', () => {
  test('runs a valid call and applies defaults', async () => {
    expect(await executeToolCall(tools, { id: '1', name: 'echo', input: { text: 'ab', times: 2 } }, ctx)).toEqual({ content: 'abab', isError: false });
    expect(await executeToolCall(tools, { id: '1', name: 'echo', input: { text: 'ab' } }, ctx)).toEqual({ content: 'ab', isError: false });
  });

  test('an unknown tool lists the available tools', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'delete_repo', input: {} }, ctx);
    expect(result.isError).toBe(true);
    expect(result.content).toContain('unknown tool "delete_repo"');
    expect(result.content).toContain('echo, boom, huge');
  });

  test('malformed JSON arrives as a raw string and is reported as such', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'echo', input: '{"text": "hi"' }, ctx);
    expect(result.isError).toBe(true);
    expect(result.content).toContain('not valid JSON');
    expect(result.content).toContain('{ text: string, times?: integer 1..5 = 1 }');
  });

  test('a raw string that is valid JSON is accepted', async () => {
    expect(await executeToolCall(tools, { id: '1', name: 'echo', input: '{"text":"hi"}' }, ctx)).toEqual({ content: 'hi', isError: false });
  });

  test('a wrong-typed field is named with what was expected', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'echo', input: { text: 5, times: 9, colour: 'red' } }, ctx);
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/- text: expected string, received number/);
    expect(result.content).toMatch(/- times: .*<=5/);
    expect(result.content).toMatch(/"colour": not a parameter/);
  });

  test('a missing required field is named', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'echo', input: {} }, ctx);
    expect(result.content).toMatch(/- text: expected string, received undefined/);
  });

  test('null fields count as absent so defaults apply', async () => {
    expect(await executeToolCall(tools, { id: '1', name: 'echo', input: { text: 'a', times: null } }, ctx)).toEqual({ content: 'a', isError: false });
  });

  test('a non-object argument is rejected', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'echo', input: [1, 2] }, ctx);
    expect(result.isError).toBe(true);
    expect(result.content).toContain('expected a JSON object');
  });

  test('a thrown error becomes a one-line error result', async () => {
    const result = await executeToolCall(tools, { id: '1', name: 'boom', input: {} }, ctx);
    expect(result).toEqual({ content: 'Error: disk on fire', isError: true });
  });

  test('ToolInputError messages are passed through', async () => {
    const t = defineTool({ name: 't', description: '', input: z.strictObject({}), run: () => Promise.reject(new ToolInputError('bad path')) });
    expect(await executeToolCall([t], { id: '1', name: 't', input: {} }, ctx)).toEqual({ content: 'Error: bad path', isError: true });
  });

  test('output is capped at the default and at a configured budget', async () => {
    const call = { id: '1', name: 'huge', input: {} };
    const byDefault = await executeToolCall(tools, call, ctx);
    expect(byDefault.content.length).toBeLessThanOrEqual(8_000);
    expect(byDefault.content.startsWith('HEAD')).toBe(true);
    expect(byDefault.content.endsWith('TAIL')).toBe(true);
    expect((await executeToolCall(tools, call, { ...ctx, maxOutputChars: 500 })).content.length).toBeLessThanOrEqual(500);
  });

  test('an aborted signal stops the call before it runs', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await executeToolCall(tools, { id: '1', name: 'echo', input: { text: 'a' } }, { ...ctx, signal: controller.signal });
    expect(result.isError).toBe(true);
  });
});

describe('toToolSpec', () => {
  test('produces an object JSON Schema with required fields and optional defaults', () => {
    const spec = toToolSpec(echo);
    expect(spec.name).toBe('echo');
    expect(spec.description).toBe('Echo text.');
    expect(spec.inputSchema.type).toBe('object');
    expect(spec.inputSchema.required).toEqual(['text']);
    expect(spec.inputSchema).not.toHaveProperty('$schema');
    expect(spec.inputSchema.properties).toMatchObject({ text: { type: 'string' }, times: { type: 'integer', default: 1, minimum: 1, maximum: 5 } });
  });

  test('every read-only tool yields an object schema', () => {
    const specs = READ_ONLY_TOOLS.map(toToolSpec);
    expect(specs.map((s) => s.name).sort()).toEqual(['list_files', 'read_file', 'repo_overview', 'search']);
    for (const spec of specs) {
      expect(spec.inputSchema.type).toBe('object');
      expect(spec.description.length).toBeGreaterThan(20);
    }
    expect(specs.find((s) => s.name === 'read_file')?.inputSchema.required).toEqual(['path']);
    expect(specs.find((s) => s.name === 'search')?.inputSchema.required).toEqual(['query']);
  });
});
