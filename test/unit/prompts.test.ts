import { describe, expect, test } from '@jest/globals';
import { fillTemplate, loadPrompt } from '../../src/prompts.ts';

describe('fillTemplate', () => {
  test('fills every slot, with or without spaces inside the braces, as often as it appears', () => {
    expect(fillTemplate('Hello {{name}}, welcome to {{ place }}. Bye {{name}}.', { name: 'Ada', place: 'o/r' })).toBe('Hello Ada, welcome to o/r. Bye Ada.');
  });

  test('a slot without a value is an error naming the slot', () => {
    expect(() => fillTemplate('Repo: {{repository}}', {})).toThrow('Prompt slot {{repository}} has no value');
  });

  test('a value without a slot is an error naming the value', () => {
    expect(() => fillTemplate('Repo: {{repository}}', { repository: 'o/r', extra: 'x', other: 'y' })).toThrow('Prompt has no slot for: extra, other');
  });

  test('values are inserted literally: no re-expansion, no replacement patterns', () => {
    expect(fillTemplate('A {{a}} B {{b}}', { a: '{{b}}', b: "$& $1 $'" })).toBe("A {{b}} B $& $1 $'");
  });

  test('a template without slots needs no values', () => {
    expect(fillTemplate('plain text', {})).toBe('plain text');
  });
});

describe('loadPrompt', () => {
  const slots = { repository: 'octo/widgets', default_branch: 'main', sha: 'a'.repeat(40), instructions: '' };

  test.each(['chat', 'make_plan'])("'%s' names the repository, branch and commit and leaves no slot unfilled", (name) => {
    const prompt = loadPrompt(name, slots);
    expect(prompt).toContain('octo/widgets');
    expect(prompt).toContain('`main`');
    expect(prompt).toContain('a'.repeat(40));
    expect(prompt).toContain('UNTRUSTED-DATA');
    expect(prompt).not.toMatch(/\{\{/);
  });

  test('is strict about slots, like fillTemplate', () => {
    expect(() => loadPrompt('chat', {})).toThrow(/\{\{repository\}\} has no value/);
    expect(() => loadPrompt('chat', { ...slots, surprise: 'x' })).toThrow(/no slot for: surprise/);
  });

  test.each(['../chat', 'chat.md', 'Chat', '', 'prompts/chat', 'chat ', '..'])('rejects the invalid name %j', (name) => {
    expect(() => loadPrompt(name, { repository: 'o/r' })).toThrow(/Invalid prompt name/);
  });

  test('a valid name without a file is an error', () => {
    expect(() => loadPrompt('no-such-prompt', {})).toThrow(/ENOENT/);
  });
});
