// The model chooses paths, and the workspace is a checkout of someone else's repository, so a
// path is trusted only after lexical and symlink checks against the real workspace root.
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolInputError } from './tool.ts';

export interface ResolvedPath {
  /** Absolute path under the workspace root (not symlink-resolved, so it reads as the model named it). */
  absolute: string;
  /** Normalised POSIX path relative to the root; '.' for the root itself. */
  relative: string;
}

/**
 * Resolves a model-supplied path inside root, refusing absolute paths, `..` escapes and symlinks
 * (at any component) whose target lies outside the workspace. Missing files are allowed; the
 * nearest existing parent is what gets checked.
 */
export async function resolveInside(root: string, relative: string): Promise<ResolvedPath> {
  const input = relative.trim() === '' ? '.' : relative;
  if (input.includes('\0')) throw new ToolInputError('path contains a NUL byte');
  if (path.isAbsolute(input) || /^[A-Za-z]:[\\/]/.test(input) || input.startsWith('~')) {
    throw new ToolInputError(`path must be relative to the workspace root, got an absolute path: ${input}`);
  }
  const normalised = path.posix.normalize(input.replaceAll('\\', '/')).replace(/\/+$/, '') || '.';
  if (normalised === '..' || normalised.startsWith('../')) {
    throw new ToolInputError(`path escapes the workspace via "..": ${input}`);
  }

  const realRoot = await realpath(root);
  const segments = normalised === '.' ? [] : normalised.split('/');
  // Walk component by component so the error can name the link that escapes, not just the result.
  let lexical = realRoot;
  for (let i = 0; i < segments.length; i++) {
    lexical = path.join(lexical, segments[i] ?? '');
    const stat = await lstat(lexical).catch(() => undefined);
    if (!stat) break;
    if (!stat.isSymbolicLink()) continue;
    const shown = segments.slice(0, i + 1).join('/');
    const target = await realpath(lexical).catch(() => undefined);
    if (target === undefined) {
      // A dangling link: judge it by where it would point, so it cannot be used to create files outside.
      const link = await readlink(lexical);
      const would = path.resolve(path.dirname(lexical), link);
      if (!isInside(realRoot, would)) throw new ToolInputError(`path escapes the workspace via a symlink: ${shown} -> ${link}`);
      break;
    }
    if (!isInside(realRoot, target)) {
      throw new ToolInputError(`path escapes the workspace via a symlink: ${shown} -> ${target}`);
    }
  }
  return { absolute: normalised === '.' ? path.resolve(root) : path.join(path.resolve(root), normalised), relative: normalised };
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
