// System prompts are Markdown files in prompts/, with {{named}} slots, so they can be read and
// reviewed as prose. Filling is strict: a missing or unknown slot is a bug, not a blank.
import { readFileSync } from 'node:fs';

const PROMPTS_DIR = new URL('../prompts/', import.meta.url);
const cache = new Map<string, string>();

export function fillTemplate(template: string, slots: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const filled = template.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi, (_match, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`Prompt slot {{${name}}} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(slots).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`Prompt has no slot for: ${unused.join(', ')}`);
  return filled;
}

export function loadPrompt(name: string, slots: Readonly<Record<string, string>>): string {
  if (!/^[a-z0-9_-]+$/.test(name)) throw new Error(`Invalid prompt name ${JSON.stringify(name)}`);
  let template = cache.get(name);
  if (template === undefined) {
    template = readFileSync(new URL(`${name}.md`, PROMPTS_DIR), 'utf8');
    cache.set(name, template);
  }
  return fillTemplate(template, slots);
}
