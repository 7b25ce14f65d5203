// A run's progress, told in two places at once: the tracking comment on GitHub (coalesced edits)
// and the run's event log (every step, for the dashboard). Commands only say what happens.
import type { Knex } from 'knex';
import type { RepoGateway } from '../github/repo-gateway.ts';
import type { RunEventLog, RunEventInput } from '../events/run-events.ts';
import type { Logger } from '../log.ts';
import { getRun, setTrackingComment, type Run } from '../db/runs.ts';
import { CoalescingEditor } from './comment-editor.ts';
import { renderTrackingComment, type RunFooter, type RunStatus, type StepStatus, type TrackingCommentView, type TrackingStep } from './tracking-comment.ts';

export interface StepDefinition {
  id: string;
  label: string;
}

export interface RunTrackerDeps {
  knex: Knex;
  gateway: RepoGateway;
  events: RunEventLog;
  log: Logger;
  editIntervalMs: number;
  secrets: readonly string[];
  /** The run's dashboard page, once the dashboard exists. */
  runUrl?: string;
}

export class RunTracker {
  readonly #deps: RunTrackerDeps;
  readonly #run: Run;
  readonly #issueNumber: number;
  readonly #steps: TrackingStep[];
  readonly #editor: CoalescingEditor;
  #status: RunStatus = 'working';
  readonly #notices: string[] = [];

  private constructor(deps: RunTrackerDeps, run: Run, issueNumber: number, steps: StepDefinition[], commentId: number) {
    this.#deps = deps;
    this.#run = run;
    this.#issueNumber = issueNumber;
    this.#steps = steps.map((s) => ({ id: s.id, label: s.label, status: 'pending' as StepStatus }));
    this.#editor = new CoalescingEditor({
      write: (body) => deps.gateway.updateComment(commentId, body),
      minIntervalMs: deps.editIntervalMs,
      onError: (error) => deps.log.warn({ err: error, runId: run.id }, 'could not update the tracking comment; the next update will try again'),
    });
  }

  /** Creates the tracking comment on the first attempt (with 👀 on the trigger); later attempts reuse it. */
  static async open(deps: RunTrackerDeps, run: Run, issueNumber: number, steps: StepDefinition[]): Promise<RunTracker> {
    let commentId = run.trackingCommentId;
    if (commentId === null) {
      try {
        await deps.gateway.addReaction(run.triggerCommentId, 'eyes');
      } catch (error) {
        deps.log.warn({ err: error, runId: run.id }, 'could not react to the trigger comment');
      }
      const draft = new RunTracker(deps, run, issueNumber, steps, 0);
      commentId = await deps.gateway.createComment(issueNumber, draft.render());
      await setTrackingComment(deps.knex, run.id, commentId);
    }
    const tracker = new RunTracker(deps, run, issueNumber, steps, commentId);
    await tracker.#event({ type: 'info', step: steps[0]?.id, progress: 0, message: run.attempts > 1 ? `Attempt ${run.attempts} started` : 'Run started' });
    return tracker;
  }

  get issueNumber(): number {
    return this.#issueNumber;
  }

  /** Marks a step active (finishing the ones before it) and reports it. */
  async begin(stepId: string, message: string): Promise<void> {
    let reached = false;
    for (const step of this.#steps) {
      if (step.id === stepId) {
        step.status = 'active';
        reached = true;
      } else if (!reached && step.status !== 'skipped') step.status = 'done';
    }
    if (!reached) throw new Error(`Unknown step ${stepId}`);
    // The active step shows the run's overall progress, so the comment reads "Planning (67%)".
    for (const step of this.#steps) {
      if (step.status === 'active') step.progress = this.#progress();
      else delete step.progress;
    }
    await this.#event({ type: 'info', step: stepId, progress: this.#progress(), message });
    this.#editor.update(this.render());
  }

  /** What the active step is doing right now, in a few words. */
  async report(detail: string): Promise<void> {
    const active = this.#steps.find((s) => s.status === 'active');
    if (!active) return;
    active.detail = detail;
    await this.#event({ type: 'info', step: active.id, progress: this.#progress(), message: detail });
    this.#editor.update(this.render());
  }

  /** A warning shown in the comment until the run ends (and after). */
  async notice(markdown: string, message: string): Promise<void> {
    this.#notices.push(markdown);
    await this.#event({ type: 'warning', message });
    this.#editor.update(this.render());
  }

  async complete(body: string, summary: string): Promise<void> {
    for (const step of this.#steps) if (step.status !== 'skipped') step.status = 'done';
    await this.#finish('completed', { type: 'success', message: summary }, body);
  }

  async fail(error: string): Promise<void> {
    const active = this.#steps.find((s) => s.status === 'active');
    if (active) active.status = 'failed';
    await this.#finish('failed', { type: 'error', message: error }, undefined, error);
  }

  async cancel(): Promise<void> {
    await this.#finish('cancelled', { type: 'warning', message: 'Run cancelled' });
  }

  /** A transient failure: the job will be retried; say so without ending the run. */
  async retrying(error: string, nextAttempt: number): Promise<void> {
    await this.#event({ type: 'warning', message: `Attempt failed, will retry (attempt ${nextAttempt}): ${error}` });
    this.#editor.update(this.render(nextAttempt));
  }

  render(attempt = this.#run.attempts, footer?: RunFooter, body?: string, error?: string): string {
    const view: TrackingCommentView = {
      runId: this.#run.id,
      command: this.#run.command,
      requester: this.#run.requester,
      status: this.#status,
      steps: this.#steps,
      ...(attempt > 1 ? { attempt } : {}),
      ...(footer ? { footer } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(this.#deps.runUrl ? { runUrl: this.#deps.runUrl } : {}),
      ...(this.#notices.length > 0 ? { notices: this.#notices } : {}),
      secrets: this.#deps.secrets,
    };
    return renderTrackingComment(view);
  }

  async #finish(status: RunStatus, event: Omit<RunEventInput, 'type'> & { type: RunEventInput['type'] }, body?: string, error?: string): Promise<void> {
    this.#status = status;
    const footer = await this.#footer();
    await this.#event({ ...event, progress: status === 'completed' ? 100 : this.#progress() });
    await this.#event({ type: 'summary', message: `Run ${status}`, data: { status, ...footer } });
    await this.#editor.finish(this.render(this.#run.attempts, footer, body, error));
  }

  async #footer(): Promise<RunFooter> {
    const run = (await getRun(this.#deps.knex, this.#run.id)) ?? this.#run;
    return {
      ...(run.model ? { model: run.model } : {}),
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      cachedInputTokens: run.cachedInputTokens,
      costUsd: run.costUsd,
      costKnown: run.costKnown,
      durationMs: run.startedAt ? Date.now() - run.startedAt.getTime() : 0,
    };
  }

  #progress(): number {
    const done = this.#steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
    return Math.round((done / Math.max(1, this.#steps.length)) * 100);
  }

  async #event(input: RunEventInput): Promise<void> {
    const { step, ...rest } = input;
    try {
      await this.#deps.events.append(this.#run.id, { ...rest, ...(step ? { step } : {}) });
    } catch (error) {
      this.#deps.log.warn({ err: error, runId: this.#run.id }, 'could not record a run event');
    }
  }
}
