// The subset of GitHub's issue_comment payload that intake reads, validated: a payload missing
// any of it is logged and ignored rather than half-processed.
import { z } from 'zod';

const UserSchema = z.object({ login: z.string().min(1), type: z.string() });

export const IssueCommentCreatedSchema = z.object({
  action: z.literal('created'),
  installation: z.object({ id: z.number().int().positive() }, { error: 'missing: the webhook did not come from an app installation' }),
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    // Where the workspace clones from; taken from the payload so GitHub Enterprise and local git
    // servers work without configuration.
    clone_url: z.url({ protocol: /^https?$/ }).optional(),
    html_url: z.url({ protocol: /^https?$/ }).optional(),
    default_branch: z.string().min(1).optional(),
  }),
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    pull_request: z.unknown().optional(),
  }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    created_at: z.string().min(1),
    user: UserSchema,
    author_association: z.string(),
  }),
  sender: UserSchema,
});
export type IssueCommentCreated = z.infer<typeof IssueCommentCreatedSchema>;

export function describeZodIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}
