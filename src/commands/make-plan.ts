// @make_plan: explore the repository, then have the model submit a structured plan (validated by
// zod through the submit_plan tool), store it as the ticket's next plan version and render it in
// the tracking comment. `@make_plan <notes>` revises the latest version.
import { blobUrl } from '../agent/citations.ts';
import { modelClientFor } from '../agent/model-selection.ts';
import { defineTool } from '../agent/tools/index.ts';
import { appendMessages } from '../db/messages.ts';
import { insertPlanVersion, latestPlan } from '../db/plans.ts';
import { setRunModel } from '../db/runs.ts';
import { UserFacingError } from '../errors.ts';
import { PlanSchema, type Plan } from '../plans/plan.ts';
import { renderPlan } from '../plans/render-plan.ts';
import type { RunCommand } from './command.ts';
import { buildPlanMessages } from './plan-context.ts';
import { exploreRepository, openWorkspaceForRun, repoSystemPrompt } from './repo-agent.ts';

const SUBMIT_PLAN = 'submit_plan';

export const makePlanCommand: RunCommand = {
  steps: [
    { id: 'init', label: 'Start' },
    { id: 'validation', label: 'Check the request' },
    { id: 'clone', label: 'Prepare the workspace' },
    { id: 'analysis', label: 'Study the code' },
    { id: 'planning', label: 'Write the plan' },
    { id: 'complete', label: 'Post the plan' },
  ],

  async execute(ctx) {
    const { run, ticket, gateway, tracker, knex, config } = ctx;
    await tracker.begin('init', `@${run.requester} asked for a plan`);

    await tracker.begin('validation', 'Checking the model settings and earlier plans');
    // Fails fast, before any clone, when no model is configured at all.
    modelClientFor(config.model, 'make_plan');
    const previous = await latestPlan(knex, ticket.id);

    await tracker.begin('clone', `Fetching ${ticket.repo}`);
    const opened = await openWorkspaceForRun(ctx);
    const client = modelClientFor(config.model, 'make_plan', opened.settings.config.model);
    await setRunModel(knex, run.id, client.model);

    await tracker.begin('analysis', previous ? `Revising plan v${previous.version} at ${opened.workspace.headSha.slice(0, 7)}` : `Studying ${ticket.repo} at ${opened.workspace.headSha.slice(0, 7)}`);
    const thread = await gateway.getIssueThread(ticket.issueNumber, run.triggerCommentId);
    let submitted: Plan | undefined;
    const submitPlan = defineTool({
      name: SUBMIT_PLAN,
      description: 'Submit the finished implementation plan. Call this exactly once, after studying the code.',
      input: PlanSchema,
      run: async (plan) => {
        submitted = plan;
        await tracker.begin('planning', `Plan received: ${plan.steps.length} steps over ${plan.files.length} files`);
        return 'Plan received.';
      },
    });
    const messages = buildPlanMessages({ thread, triggerCreatedAt: run.triggerCreatedAt, requester: run.requester, notes: run.args, previous });
    const result = await exploreRepository(ctx, {
      client,
      opened,
      step: 'analysis',
      system: repoSystemPrompt('make_plan', ctx, opened),
      messages,
      extraTools: [submitPlan],
      finishTool: SUBMIT_PLAN,
    });
    if (!submitted) {
      const why =
        result.ending === 'out_of_turns'
          ? `used all ${result.turns} turns it was allowed`
          : result.ending === 'over_budget'
            ? "reached the repository's budget"
            : 'stopped';
      throw new UserFacingError(`The model ${why} without submitting a plan; try again, perhaps with notes that narrow the scope.`);
    }

    await tracker.begin('planning', 'Storing the plan');
    const stored = await insertPlanVersion(knex, { ticketId: ticket.id, runId: run.id, notes: run.args, baseSha: opened.workspace.headSha, plan: submitted });
    const htmlUrl = ticket.htmlUrl;
    const body = renderPlan(stored.plan, {
      version: stored.version,
      ...(previous ? { basedOn: previous.version } : {}),
      sha: stored.baseSha,
      ...(htmlUrl ? { blobUrl: (path: string) => blobUrl({ htmlUrl, sha: stored.baseSha }, path) } : {}),
    });

    await tracker.begin('complete', `Posting plan v${stored.version}`);
    // Follow-up @chat questions can then discuss the plan.
    await appendMessages(knex, ticket.id, run.id, [
      { role: 'user', content: `@make_plan ${run.args}`.trim() },
      { role: 'assistant', content: `Plan v${stored.version}:\n${JSON.stringify(stored.plan)}` },
    ]);
    return { body, summary: `Plan v${stored.version}: ${stored.plan.steps.length} steps, size ${stored.plan.estimate.size}` };
  },
};
