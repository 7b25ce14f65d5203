// Turns whatever the SDKs throw into a ModelError whose message is safe to post on a GitHub issue.
// SDK messages embed the provider's response body (which can echo the API key, e.g. OpenAI's
// "Incorrect API key provided: sk-..."), so they are never copied; only the status, a vetted
// error code and the endpoint's host go into the sentence. The SDK error stays on `cause` for logs.

import * as OpenAISdk from 'openai';
import * as AnthropicSdk from '@anthropic-ai/sdk';
import { ModelError, type ModelErrorKind, type ProviderName } from './model-client.ts';

export interface ModelErrorContext {
  provider: ProviderName;
  /** The endpoint the SDK actually called; only its host is ever shown. */
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  /** The caller's signal: once it has fired, any failure is a cancellation, whatever the SDK threw. */
  signal?: AbortSignal | undefined;
}

const PROVIDER_LABEL: Record<ProviderName, string> = { openai: 'OpenAI', anthropic: 'Anthropic' };

// An error code is only echoed when it looks like an identifier, so a server that puts
// free text (or a secret) in that field cannot smuggle it into the message.
const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Host (and port) of an endpoint, without scheme, credentials, path or query. */
export function endpointHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || 'the configured endpoint';
  } catch {
    return 'the configured endpoint';
  }
}

function isInstance(error: unknown, ...classes: (abstract new (...args: never[]) => unknown)[]): boolean {
  return classes.some((cls) => error instanceof cls);
}

function attemptsPhrase(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

function durationPhrase(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

interface StatusDetails {
  status: number;
  code: string | undefined;
  /** The server can veto the SDK's retries with `x-should-retry: false`. */
  retryVetoed: boolean;
}

function statusDetails(error: unknown): StatusDetails | undefined {
  if (isInstance(error, OpenAISdk.APIError)) {
    const e = error as OpenAISdk.APIError;
    if (typeof e.status !== 'number') return undefined;
    return {
      status: e.status,
      code: pickCode(e.code, e.type),
      retryVetoed: e.headers?.get('x-should-retry') === 'false',
    };
  }
  if (isInstance(error, AnthropicSdk.APIError)) {
    const e = error as AnthropicSdk.APIError;
    if (typeof e.status !== 'number') return undefined;
    return {
      status: e.status,
      code: pickCode(e.errorCode, e.type),
      retryVetoed: e.headers?.get('x-should-retry') === 'false',
    };
  }
  return undefined;
}

function pickCode(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && SAFE_CODE.test(candidate)) return candidate;
  }
  return undefined;
}

/** Mirrors the SDKs' own retry policy, so the attempt count in the message is the real one. */
function sdkRetries(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function toModelError(error: unknown, context: ModelErrorContext): ModelError {
  if (error instanceof ModelError) return error;

  const api = `the ${PROVIDER_LABEL[context.provider]} API at ${endpointHost(context.baseUrl)}`;
  const subject = api.charAt(0).toUpperCase() + api.slice(1);
  const allAttempts = context.maxRetries + 1;
  const make = (kind: ModelErrorKind, message: string, status?: number) =>
    new ModelError(kind, context.provider, message, status, { cause: error });

  if (
    context.signal?.aborted ||
    isInstance(error, OpenAISdk.APIUserAbortError, AnthropicSdk.APIUserAbortError)
  ) {
    return make('cancelled', `The request to ${api} was cancelled.`);
  }

  if (isInstance(error, OpenAISdk.APIConnectionTimeoutError, AnthropicSdk.APIConnectionTimeoutError)) {
    const within = durationPhrase(context.timeoutMs);
    const tries = allAttempts === 1 ? '' : ` on any of ${allAttempts} attempts`;
    return make('timeout', `${subject} did not answer within ${within}${tries}.`);
  }

  if (isInstance(error, OpenAISdk.APIConnectionError, AnthropicSdk.APIConnectionError)) {
    return make('unavailable', `Could not connect to ${api} after ${attemptsPhrase(allAttempts)}.`);
  }

  const details = statusDetails(error);
  if (details) {
    const { status, code, retryVetoed } = details;
    const attempts = sdkRetries(status) && !retryVetoed ? allAttempts : 1;
    const after = `after ${attemptsPhrase(attempts)}`;
    if (status === 401) {
      return make('auth', `${subject} rejected the configured API key (HTTP 401).`, status);
    }
    if (status === 403) {
      return make('auth', `${subject} refused access with the configured API key (HTTP 403).`, status);
    }
    if (status === 408) {
      return make('timeout', `${subject} timed out handling the request ${after} (HTTP 408).`, status);
    }
    if (status === 429) {
      return make('rate_limited', `${subject} was still rate limiting ${after} (HTTP 429).`, status);
    }
    if (status >= 500) {
      return make('unavailable', `${subject} did not answer ${after} (HTTP ${status}).`, status);
    }
    const suffix = code ? `HTTP ${status}, ${code}` : `HTTP ${status}`;
    return make('bad_request', `${subject} rejected the request (${suffix}).`, status);
  }

  if (error instanceof SyntaxError) {
    return make('unavailable', `${subject} sent a response that is not valid JSON.`);
  }

  return make('unavailable', `The call to ${api} failed unexpectedly.`);
}
