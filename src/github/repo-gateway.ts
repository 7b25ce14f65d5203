// Every call ticketsmith makes to GitHub about an issue goes through here, so the surface we
// depend on is small, typed, and checked: responses are validated for the fields we read.
import { z } from 'zod';
import type { ProbotOctokit } from 'probot';

type Octokit = InstanceType<typeof ProbotOctokit>;

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

const UserSchema = z.object({ login: z.string(), type: z.string().optional() }).nullable();

const IssueSchema = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  user: UserSchema,
  created_at: z.string(),
  html_url: z.string().optional(),
});

const CommentSchema = z.object({
  id: z.number(),
  body: z.string().optional().nullable(),
  user: UserSchema,
  created_at: z.string(),
  updated_at: z.string(),
  author_association: z.string().optional(),
});

export interface IssueThreadComment {
  id: number;
  author: string;
  authorType: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface IssueThread {
  number: number;
  title: string;
  body: string;
  author: string;
  comments: IssueThreadComment[];
}

export class RepoGateway {
  readonly owner: string;
  readonly repo: string;
  readonly #octokit: Octokit;

  constructor(octokit: Octokit, owner: string, repo: string) {
    this.#octokit = octokit;
    this.owner = owner;
    this.repo = repo;
  }

  async addReaction(commentId: number, content: ReactionContent): Promise<void> {
    await this.#octokit.rest.reactions.createForIssueComment({ owner: this.owner, repo: this.repo, comment_id: commentId, content });
  }

  async createComment(issueNumber: number, body: string): Promise<number> {
    const { data } = await this.#octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: issueNumber, body });
    return z.object({ id: z.number() }).parse(data).id;
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.#octokit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: commentId, body });
  }

  /** The issue and its comments, oldest first, up to (not including) `beforeCommentId`. */
  async getIssueThread(issueNumber: number, beforeCommentId: number): Promise<IssueThread> {
    const { data } = await this.#octokit.rest.issues.get({ owner: this.owner, repo: this.repo, issue_number: issueNumber });
    const issue = IssueSchema.parse(data);
    const raw = await this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    const comments = z
      .array(CommentSchema)
      .parse(raw)
      .filter((c) => c.id !== beforeCommentId)
      .map((c) => ({
        id: c.id,
        author: c.user?.login ?? 'ghost',
        authorType: c.user?.type ?? 'User',
        body: c.body ?? '',
        createdAt: new Date(c.created_at),
        updatedAt: new Date(c.updated_at),
      }));
    return { number: issue.number, title: issue.title, body: issue.body ?? '', author: issue.user?.login ?? 'ghost', comments };
  }

  /** A short-lived installation token for git over HTTPS; never store or log it. */
  async installationToken(): Promise<string> {
    const auth = await this.#octokit.auth({ type: 'installation' });
    return z.object({ token: z.string().min(1) }).parse(auth).token;
  }

  /** The repository's size (GitHub reports kilobytes) and default branch. */
  async getRepository(): Promise<{ sizeBytes: number; defaultBranch: string }> {
    const { data } = await this.#octokit.rest.repos.get({ owner: this.owner, repo: this.repo });
    const parsed = z.object({ size: z.number().nonnegative(), default_branch: z.string() }).parse(data);
    return { sizeBytes: parsed.size * 1024, defaultBranch: parsed.default_branch };
  }

  /** The user's effective permission on the repository (admin, maintain, write, triage, read, none). */
  async getUserPermission(login: string): Promise<{ permission: string; roleName: string | undefined }> {
    const { data } = await this.#octokit.rest.repos.getCollaboratorPermissionLevel({ owner: this.owner, repo: this.repo, username: login });
    const parsed = z.object({ permission: z.string(), role_name: z.string().optional() }).parse(data);
    return { permission: parsed.permission, roleName: parsed.role_name };
  }
}

/** Yields a gateway for a repository through the app's installation token. */
export interface GitHubConnector {
  forRepo(installationId: number, owner: string, repo: string): Promise<RepoGateway>;
}
