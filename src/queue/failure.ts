// Deciding what a failure means: shown to the user in one sentence, and retried or not.
import { ModelError } from '../agent/providers/model-client.ts';
import { UserFacingError, errorMessage } from '../errors.ts';
import { WorkspaceError } from '../workspace/errors.ts';

interface OctokitLikeError {
  status: number;
  request?: { method?: string; url?: string };
}

function isOctokitError(error: unknown): error is OctokitLikeError {
  return typeof error === 'object' && error !== null && 'status' in error && typeof (error as { status: unknown }).status === 'number' && 'request' in error;
}

/** Permanent failures end the run now; anything else is worth another attempt. */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof UserFacingError) return true;
  // The SDK has already retried 429s, 5xx and timeouts with backoff before this surfaces.
  if (error instanceof ModelError) return true;
  if (error instanceof WorkspaceError) return error.permanent;
  if (isOctokitError(error)) return error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 403;
  return false;
}

export function describeFailure(error: unknown, redact: (text: string) => string): string {
  let message: string;
  if (error instanceof UserFacingError || error instanceof ModelError || error instanceof WorkspaceError) message = error.message;
  else if (isOctokitError(error)) {
    const url = error.request?.url ? new URL(error.request.url, 'https://api.github.com').pathname : 'the API';
    message = `GitHub answered HTTP ${error.status} to ${error.request?.method ?? 'a request'} ${url}.`;
  } else {
    // Redact before cutting: a secret cut in half no longer matches, and its head would leak.
    const detail = redact(errorMessage(error).split('\n')[0] ?? 'unknown error');
    message = `An unexpected error stopped the run: ${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail}`;
  }
  return redact(message);
}
