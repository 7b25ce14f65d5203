// What every repository-aware command shares: open the workspace (warning about a bad repository
// config), build the system prompt with the repository's instructions, and run the agent loop
// with the read-only tools while the tracking comment says what the agent is looking at.
import { runAgentLoop, type AgentLoopResult } from '../agent/loop.ts';
import type { ModelClient, ModelMessage, ToolCall } from '../agent/providers/model-client.ts';
import { READ_ONLY_TOOLS, type Tool } from '../agent/tools/index.ts';
import { loadPrompt } from '../prompts.ts';
import { CONFIG_PATH, renderConfigProblems } from '../repo/repo-config.ts';
import type { RepoSettings } from '../repo/repo-settings.ts';
import type { CommandContext } from './command.ts';
import { openTicketWorkspace, type OpenedWorkspace } from './open-workspace.ts';

export async function openWorkspaceForRun(ctx: CommandContext): Promise<OpenedWorkspace> {
  const { config } = ctx;
  const opened = await openTicketWorkspace(
    { knex: ctx.knex, gateway: ctx.gateway, workspaces: ctx.workspaces, log: ctx.log, limits: { repoMaxBytes: config.workspace.repoMaxBytes, maxBytes: config.workspace.maxBytes } },
    ctx.ticket,
  );
  const { settings } = opened;
  if (settings.problems.length > 0) {
    await ctx.tracker.notice(
      renderConfigProblems(CONFIG_PATH, settings.problems, settings.sha),
      `Invalid ${CONFIG_PATH}: ${settings.problems.join('; ')}`,
    );
  }
  return opened;
}

export function repoSystemPrompt(name: 'chat' | 'make_plan', ctx: CommandContext, opened: OpenedWorkspace): string {
  return loadPrompt(name, {
    repository: ctx.ticket.repo,
    default_branch: opened.workspace.defaultBranch,
    sha: opened.workspace.headSha,
    instructions: renderInstructions(opened.settings),
  });
}

function renderInstructions(settings: RepoSettings): string {
  const instructions = settings.instructions;
  if (!instructions) return '';
  const cut = instructions.truncated ? '\n\n(The file is longer; the rest was cut.)' : '';
  return `\nThe repository's maintainers give these instructions in \`${instructions.path}\` on the default branch. Follow them where they do not contradict the rules above:\n\n${instructions.text}${cut}\n`;
}

export interface ExploreOptions {
  client: ModelClient;
  opened: OpenedWorkspace;
  step: string;
  system: string;
  messages: ModelMessage[];
  extraTools?: readonly Tool[];
  finishTool?: string;
}

export async function exploreRepository(ctx: CommandContext, options: ExploreOptions): Promise<AgentLoopResult> {
  const budgets = options.opened.settings.config.budgets;
  return runAgentLoop({
    client: options.client,
    meter: { knex: ctx.knex, runId: ctx.run.id, prices: ctx.config.model.prices },
    step: options.step,
    system: options.system,
    messages: options.messages,
    tools: [...READ_ONLY_TOOLS, ...(options.extraTools ?? [])],
    toolContext: { root: options.opened.workspace.path },
    maxTurns: Math.min(budgets.maxTurns ?? ctx.config.agent.maxTurns, ctx.config.agent.maxTurns),
    maxOutputTokens: ctx.config.model.maxOutputTokens,
    budget: { maxTokens: budgets.maxTokens, maxCostUsd: budgets.maxCostUsd },
    signal: ctx.signal,
    ...(options.finishTool ? { finishTool: options.finishTool } : {}),
    onToolCall: (call, _result, turn) => ctx.tracker.report(`turn ${turn}: ${describeToolCall(call)}`),
  });
}

/** A few words for the tracking comment, e.g. "read_file src/app.ts". */
export function describeToolCall(call: ToolCall): string {
  const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
  const subject = [input.path, input.query, input.pattern, input.glob].find((value) => typeof value === 'string' && value !== '');
  const text = subject ? `${call.name} ${String(subject)}` : call.name;
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
