// One call that orients the model: how to test, what the manifests say, which languages, and
// the shape of the tree. Sections are in order of value per character, so when the budget runs
// out it is the tree that gets shortened, never the test commands.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveInside } from './paths.ts';
import { defineTool, outputBudget } from './tool.ts';
import { listWorkspaceFiles } from './workspace-files.ts';

const LANGUAGES: Record<string, string> = {
  ts: 'TypeScript', tsx: 'TypeScript', mts: 'TypeScript', cts: 'TypeScript', js: 'JavaScript', jsx: 'JavaScript',
  mjs: 'JavaScript', cjs: 'JavaScript', py: 'Python', go: 'Go', rs: 'Rust', java: 'Java', kt: 'Kotlin', rb: 'Ruby',
  php: 'PHP', cs: 'C#', c: 'C', h: 'C/C++ header', cc: 'C++', cpp: 'C++', hpp: 'C++', swift: 'Swift', scala: 'Scala',
  sh: 'Shell', md: 'Markdown', json: 'JSON', yml: 'YAML', yaml: 'YAML', toml: 'TOML', html: 'HTML', css: 'CSS', sql: 'SQL',
};
const MANIFEST_NAMES = new Set(['package.json', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'Makefile', 'requirements.txt']);
const MAX_MANIFEST_FILE = 256 * 1024;
const MAX_CHILDREN_SHOWN = 12;

export const repoOverviewTool = defineTool({
  name: 'repo_overview',
  description:
    'Summarise the repository: detected test commands, key manifests (package.json, pyproject.toml, go.mod, Cargo.toml, ' +
    'Makefile, requirements.txt), languages by file count and the top two levels of the tree. A good first call.',
  input: z.strictObject({}),
  async run(_input, ctx) {
    const files = await listWorkspaceFiles((await resolveInside(ctx.root, '.')).absolute, ctx.signal);
    const fileSet = new Set(files);
    const read = async (name: string): Promise<string | undefined> => {
      if (!fileSet.has(name)) return undefined;
      try {
        // Checked like any model-chosen path: a manifest may be a symlink out of the workspace.
        const text = await readFile((await resolveInside(ctx.root, name)).absolute, 'utf8');
        return text.length > MAX_MANIFEST_FILE ? text.slice(0, MAX_MANIFEST_FILE) : text;
      } catch {
        return undefined;
      }
    };

    const tests: string[] = [];
    const manifests: string[] = [];

    const pkgText = await read('package.json');
    if (pkgText !== undefined) {
      const pkg = parseJson(pkgText);
      const scripts = isRecord(pkg?.scripts) ? Object.entries(pkg.scripts).filter(([, v]) => typeof v === 'string') : [];
      const name = typeof pkg?.name === 'string' ? pkg.name : '(unnamed)';
      manifests.push(pkg ? `package.json: name ${name}` : 'package.json: (not valid JSON)');
      for (const [script, command] of scripts.slice(0, 25)) manifests.push(`  script ${script}: ${clip(String(command), 120)}`);
      if (scripts.length > 25) manifests.push(`  … ${scripts.length - 25} more scripts`);
      const test = scripts.find(([script]) => script === 'test')?.[1];
      // npm init's placeholder script fails by design; it is not a test command.
      if (typeof test === 'string' && !/no test specified/.test(test)) {
        const runner = fileSet.has('pnpm-lock.yaml') ? 'pnpm' : fileSet.has('yarn.lock') ? 'yarn' : 'npm';
        tests.push(`${runner} test   (package.json: ${clip(test, 80)})`);
      }
    }

    const pyproject = await read('pyproject.toml');
    if (pyproject !== undefined) {
      const name = /^\s*name\s*=\s*["']([^"']+)["']/m.exec(pyproject)?.[1];
      manifests.push(`pyproject.toml: ${name ? `name ${name}` : 'present'}${/\[tool\.pytest/.test(pyproject) ? ', pytest configured' : ''}`);
    }
    const hasPythonTests = files.some((f) => /^(tests?|.*\/tests?)\/(.*\/)?(test_[^/]*|[^/]*_test)\.py$/.test(f));
    const pytestReason =
      fileSet.has('pytest.ini') ? 'pytest.ini'
      : pyproject !== undefined && /pytest/.test(pyproject) ? 'pyproject.toml'
      : fileSet.has('conftest.py') ? 'conftest.py'
      : hasPythonTests ? 'tests directory'
      : undefined;
    if (pytestReason) tests.push(`pytest   (${pytestReason})`);

    const gomod = await read('go.mod');
    if (gomod !== undefined) {
      const module = /^module\s+(\S+)/m.exec(gomod)?.[1] ?? '(unknown module)';
      const go = /^go\s+(\S+)/m.exec(gomod)?.[1];
      manifests.push(`go.mod: module ${module}${go ? `, go ${go}` : ''}`);
      tests.push('go test ./...   (go.mod)');
    }

    const cargo = await read('Cargo.toml');
    if (cargo !== undefined) {
      const name = /^\s*name\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
      manifests.push(`Cargo.toml: ${name ? `package ${name}` : /\[workspace\]/.test(cargo) ? 'workspace' : 'present'}`);
      tests.push('cargo test   (Cargo.toml)');
    }

    const makefile = await read('Makefile');
    if (makefile !== undefined) {
      const targets = [...makefile.matchAll(/^([A-Za-z0-9][\w.-]*)\s*:(?!=)/gm)].map((m) => m[1] ?? '');
      const unique = [...new Set(targets)];
      manifests.push(`Makefile: targets ${unique.length > 0 ? clip(unique.join(', '), 200) : '(none found)'}`);
      if (unique.includes('test')) tests.push('make test   (Makefile)');
    }

    const requirements = await read('requirements.txt');
    if (requirements !== undefined) {
      const reqs = requirements.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('-'));
      const names = reqs.map((r) => r.split(/[\s<>=!~;[]/)[0] ?? r);
      manifests.push(`requirements.txt: ${reqs.length} requirements${names.length > 0 ? ` (${clip(names.join(', '), 150)})` : ''}`);
    }

    const nested = files.filter((f) => f.includes('/') && MANIFEST_NAMES.has(f.slice(f.lastIndexOf('/') + 1)));
    if (nested.length > 0) {
      manifests.push(`nested manifests: ${nested.slice(0, 10).join(', ')}${nested.length > 10 ? `, … ${nested.length - 10} more` : ''}`);
    }

    const sections = [
      `Repository overview (${files.length} files)`,
      `Test commands:\n${tests.length > 0 ? tests.map((t) => `- ${t}`).join('\n') : '- none detected'}`,
      `Manifests:\n${manifests.length > 0 ? manifests.map((m) => (m.startsWith('  ') ? m : `- ${m}`)).join('\n') : '- none found'}`,
      `Languages (files by extension):\n${languages(files)}`,
    ];
    const head = sections.join('\n\n');
    // Keep a margin under the hard cap so executeToolCall never has to cut this output.
    const remaining = outputBudget(ctx) - head.length - 40;
    return `${head}\n\nTree (depth 2):\n${fitLines(tree(files), remaining)}`.slice(0, outputBudget(ctx));
  },
});

function languages(files: string[]): string {
  const counts = new Map<string, number>();
  for (const file of files) {
    const base = file.slice(file.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0) continue;
    const ext = base.slice(dot + 1).toLowerCase();
    const label = LANGUAGES[ext] ?? `.${ext}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sorted.length === 0) return '- none';
  const top = sorted.slice(0, 10).map(([label, n]) => `${label} ${n}`);
  return `- ${top.join(', ')}${sorted.length > 10 ? `, … ${sorted.length - 10} more kinds` : ''}`;
}

/** Top-level entries, and the children of each top-level directory, with file counts. */
function tree(files: string[]): string[] {
  const top = new Map<string, Map<string, number>>();
  const topFiles: string[] = [];
  for (const file of files) {
    const [first, second, ...rest] = file.split('/');
    if (first === undefined) continue;
    if (second === undefined) {
      topFiles.push(first);
      continue;
    }
    const children = top.get(first) ?? new Map<string, number>();
    top.set(first, children);
    const child = rest.length > 0 ? `${second}/` : second;
    children.set(child, (children.get(child) ?? 0) + 1);
  }
  const lines: string[] = [];
  for (const [dir, children] of [...top].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const count = [...children.values()].reduce((sum, n) => sum + n, 0);
    lines.push(`${dir}/ (${count} ${count === 1 ? 'file' : 'files'})`);
    const entries = [...children].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [child, n] of entries.slice(0, MAX_CHILDREN_SHOWN)) lines.push(`  ${child}${child.endsWith('/') ? ` (${n})` : ''}`);
    if (entries.length > MAX_CHILDREN_SHOWN) lines.push(`  … ${entries.length - MAX_CHILDREN_SHOWN} more`);
  }
  return [...lines, ...topFiles];
}

function fitLines(lines: string[], budget: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget - 60) break;
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length < lines.length) kept.push(`… ${lines.length - kept.length} more tree lines omitted; use list_files to explore`);
  return kept.join('\n');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
