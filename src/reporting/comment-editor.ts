// GitHub throttles content-creating requests hard (secondary rate limits), and a run can emit
// progress many times a second. Coalescing keeps the comment fresh with at most one edit per
// interval, and always lets the newest state win over the ones in between.

export interface CoalescingEditorOptions {
  write: (body: string) => Promise<void>;
  minIntervalMs: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export class CoalescingEditor {
  readonly #write: (body: string) => Promise<void>;
  readonly #minIntervalMs: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #now: () => number;

  /** Every write is chained on this, so two writes can never overlap whoever started them. */
  #chain: Promise<void> = Promise.resolve();
  /** Writes queued on the chain and not yet settled. */
  #busy = 0;
  #pending: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastWritten: string | undefined;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #finished = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: CoalescingEditorOptions) {
    this.#write = options.write;
    this.#minIntervalMs = Math.max(0, options.minIntervalMs);
    this.#onError = options.onError;
    // Monotonic, so a wall-clock adjustment cannot stall or burst the edits.
    this.#now = options.now ?? (() => performance.now());
  }

  /** Progress update: written at once if the interval has passed and nothing is in flight, else the latest one wins and is written when the interval allows. Never throws; errors go to onError. */
  update(body: string): void {
    if (this.#finished) return;
    if (this.#busy === 0 && this.#pending === undefined && body === this.#lastWritten) return;
    // While a write is in flight its outcome is unknown, so an equal body stays pending and is
    // dropped at write time if that write succeeded.
    this.#pending = body;
    this.#schedule();
  }

  /** Final state: cancels any pending update, waits for an in-flight write, then writes this body immediately. Rejects if the write fails. */
  finish(body: string): Promise<void> {
    this.#finished = true;
    this.#pending = undefined;
    this.#clearTimer();
    return this.#enqueue(body);
  }

  /** Resolves when nothing is pending or in flight (for tests and shutdown). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#busy === 0 && this.#pending === undefined && this.#timer === undefined;
  }

  #schedule(): void {
    if (this.#finished || this.#busy > 0 || this.#timer !== undefined || this.#pending === undefined) return;
    if (this.#pending === this.#lastWritten) {
      this.#pending = undefined;
      return;
    }
    const wait = this.#lastWriteAt + this.#minIntervalMs - this.#now();
    if (wait <= 0) {
      const body = this.#pending;
      this.#pending = undefined;
      this.#enqueue(body).catch((error: unknown) => this.#report(error));
      return;
    }
    // Timers may fire a little early; the callback re-checks the interval instead of trusting them.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#schedule();
      this.#notifyIfIdle();
    }, Math.ceil(wait));
  }

  #enqueue(body: string): Promise<void> {
    this.#busy += 1;
    const result = this.#chain.then(() => this.#writeIfChanged(body));
    this.#chain = result.catch(() => undefined);
    const settled = (): void => {
      this.#busy -= 1;
      this.#schedule();
      this.#notifyIfIdle();
    };
    result.then(settled, settled);
    return result;
  }

  async #writeIfChanged(body: string): Promise<void> {
    if (body === this.#lastWritten) return;
    this.#lastWriteAt = this.#now();
    await this.#write(body);
    this.#lastWritten = body;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // A throwing error handler must not turn a progress update into an unhandled rejection.
    }
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
