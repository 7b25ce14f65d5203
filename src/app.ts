// The Probot app function: wires webhook events to intake, nothing else.
import type { ApplicationFunction } from 'probot';
import { handleIssueClosed, handlePullRequestClosed } from './intake/handle-closed.ts';
import { handleIssueCommentCreated } from './intake/handle-comment.ts';
import type { Services } from './services.ts';

export function ticketsmithApp(services: Services): ApplicationFunction {
  return (app) => {
    // Only `created`: acting on `edited` would let anyone who can edit a comment after the fact
    // change what a maintainer asked for.
    app.on('issue_comment.created', async (context) => {
      await handleIssueCommentCreated(services, context.id, context.payload);
    });
    app.on('issues.closed', async (context) => {
      await handleIssueClosed(services, context.id, context.payload);
    });
    app.on('pull_request.closed', async (context) => {
      await handlePullRequestClosed(services, context.id, context.payload);
    });
  };
}
