// Short replies that need no run: help, "not available yet", cancel, and the permission check
// for authors outside the association allow-list.
import { acceptCommand } from '../intake/accept-command.ts';
import { permissionAllowsCommands } from '../intake/gate.ts';
import type { RepoGateway } from '../github/repo-gateway.ts';
import { ReplyJobSchema, type ReplyJob } from '../queue/jobs.ts';
import type { WorkerJob } from '../queue/run-worker.ts';
import { renderCancelComment, renderHelpComment, renderRefusalComment, renderUnavailableComment } from '../reporting/tracking-comment.ts';
import { requireGitHub, type Services } from '../services.ts';
import { cancelTicketRuns } from './cancel.ts';

export async function executeReplyJob(services: Services, job: WorkerJob): Promise<void> {
  const reply = ReplyJobSchema.parse(job.data);
  const { trigger } = reply;
  const gateway = await requireGitHub(services).forRepo(trigger.installationId, trigger.owner, trigger.repo);
  const log = services.log.child({ jobId: job.id, action: reply.action, repo: `${trigger.owner}/${trigger.repo}`, issue: trigger.issueNumber });
  switch (reply.action) {
    case 'help':
      await gateway.createComment(trigger.issueNumber, renderHelpComment(services.config.intake.aliases));
      return;
    case 'unavailable':
      await gateway.createComment(trigger.issueNumber, renderUnavailableComment(reply.command.name));
      return;
    case 'cancel': {
      const result = await cancelTicketRuns(services.db.knex, services.boss, log, `${trigger.owner}/${trigger.repo}`, trigger.issueNumber);
      await gateway.createComment(trigger.issueNumber, renderCancelComment(result));
      return;
    }
    case 'authorize':
      return authorize(services, gateway, reply, log);
  }
}

async function authorize(services: Services, gateway: RepoGateway, reply: ReplyJob, log: Services['log']): Promise<void> {
  const { trigger, command } = reply;
  const permission = await gateway.getUserPermission(trigger.requester).catch((error: unknown) => {
    // 404: not a collaborator and not visible to the app; that is simply "no permission".
    if ((error as { status?: unknown }).status === 404) return { permission: 'none', roleName: undefined };
    throw error;
  });
  if (!permissionAllowsCommands(permission.permission, permission.roleName)) {
    log.info({ requester: trigger.requester, permission: permission.permission }, 'refused a command from a user without write access');
    await gateway.createComment(trigger.issueNumber, renderRefusalComment(trigger.requester));
    return;
  }
  const outcome = await acceptCommand(services, trigger, command);
  log.info({ requester: trigger.requester, permission: permission.permission, outcome }, 'accepted a command after checking write access');
}
