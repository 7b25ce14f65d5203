// Errors that reach a user are explained in one sentence. The class says whether retrying the
// job could help: a missing model setting will not fix itself, a GitHub 502 might.

/** Permanent and safe to show: the run ends failed with exactly this message. */
export class UserFacingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserFacingError';
  }
}

export class ModelNotConfiguredError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotConfiguredError';
  }
}

/** The run was cancelled by a user (`@cancel`, or later the dashboard). */
export class RunCancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'RunCancelledError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
