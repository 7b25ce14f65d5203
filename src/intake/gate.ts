// Pure decisions about WHO may trigger a run. Runs cost money and `@dev` pushes code, so the
// default is the repository's own people; anyone else is checked against their real
// permission by the worker rather than refused outright (outside collaborators on an org repo
// show up as CONTRIBUTOR or NONE even when they have write access).
import { z } from 'zod';

export const DEFAULT_ALLOWED_ASSOCIATIONS = ['OWNER', 'MEMBER', 'COLLABORATOR'] as const;

/** GitHub's `author_association` values. */
export const AuthorAssociationSchema = z.enum([
  'COLLABORATOR',
  'CONTRIBUTOR',
  'FIRST_TIMER',
  'FIRST_TIME_CONTRIBUTOR',
  'MANNEQUIN',
  'MEMBER',
  'NONE',
  'OWNER',
]);
export type AuthorAssociation = z.infer<typeof AuthorAssociationSchema>;

export interface CommentAuthor {
  login: string;
  /** 'User' | 'Bot' | 'Organization' | ..., from the webhook's comment.user or sender. */
  type: string;
  authorAssociation: string;
}

export type GateDecision =
  | { kind: 'ignore'; reason: string }
  | { kind: 'allow' }
  | { kind: 'check_permission' };

export interface GateOptions {
  allowedAssociations: readonly string[];
  /** The app's slug; its own comments arrive as `${appSlug}[bot]`. */
  appSlug?: string;
}

export function decideGate(author: CommentAuthor, options: GateOptions): GateDecision {
  const login = author.login.trim().toLowerCase();
  // Checked first so the log says "own comment" rather than the generic bot reason: replying
  // to ourselves is the loop this whole branch exists to prevent.
  const slug = options.appSlug?.trim().toLowerCase();
  if (slug && login === `${slug}[bot]`) return { kind: 'ignore', reason: 'comment written by this app' };
  if (author.type.trim().toLowerCase() === 'bot') return { kind: 'ignore', reason: `author ${author.login} is a bot` };
  // Some payloads report GitHub App accounts with type 'User'; the [bot] suffix is reserved for apps.
  if (login.endsWith('[bot]')) return { kind: 'ignore', reason: `author ${author.login} is a bot account` };

  const association = author.authorAssociation.trim().toUpperCase();
  const allowed = options.allowedAssociations.some((entry) => entry.trim().toUpperCase() === association);
  return allowed && association !== '' ? { kind: 'allow' } : { kind: 'check_permission' };
}

const ALLOWING = new Set(['admin', 'maintain', 'write']);
const REFUSING = new Set(['triage', 'read', 'none']);

/**
 * GitHub's "get repository permissions for a user" answer: admin, maintain, write → allowed;
 * triage, read, none → refused. `permission` is the legacy field (maintain reads as write,
 * triage as read); `role_name` may be a custom role's name. If either names a refusing role
 * the answer is no, so an inconsistent reply fails closed; unknown values allow nothing.
 */
export function permissionAllowsCommands(permission: string, roleName?: string): boolean {
  const values = [permission, roleName ?? ''].map((value) => value.trim().toLowerCase());
  if (values.some((value) => REFUSING.has(value))) return false;
  return values.some((value) => ALLOWING.has(value));
}
