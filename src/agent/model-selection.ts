// Which model serves which command, from config. A missing setting is not a crash: the run
// fails with a sentence telling the maintainer exactly what to set.
import { parseModelChoice, type Config, type ModelChoice } from '../config.ts';
import { ModelNotConfiguredError } from '../errors.ts';
import { createModelClient } from './providers/create-model-client.ts';
import type { ModelClient, ProviderName } from './providers/model-client.ts';

export type ModelCommand = 'chat' | 'make_plan' | 'dev';

const KEY_VARIABLE: Record<ProviderName, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };

/** `repoModel` is the repository config's `model`, which wins over the app's settings. */
export function chooseModel(model: Config['model'], command: ModelCommand, repoModel?: string): ModelChoice {
  const fallback = model.perCommand[command] ?? model.default;
  const choice = repoModel ? parseModelChoice(repoModel, fallback?.provider ?? model.default?.provider ?? 'openai') : fallback;
  if (!choice) {
    throw new ModelNotConfiguredError(
      'No model is configured: set MODEL_PROVIDER (openai or anthropic), MODEL (e.g. gpt-4.1 or claude-sonnet-4-6) and OPENAI_API_KEY or ANTHROPIC_API_KEY in the app\'s environment, then try again.',
    );
  }
  return choice;
}

export function modelClientFor(model: Config['model'], command: ModelCommand, repoModel?: string): ModelClient {
  const choice = chooseModel(model, command, repoModel);
  const apiKey = model.apiKeys[choice.provider];
  // Local OpenAI-compatible servers (Ollama, llama.cpp) take any key; a base URL without a key is fine.
  if (!apiKey && !(choice.provider === 'openai' && model.baseUrls.openai)) {
    throw new ModelNotConfiguredError(
      `The ${choice.provider} model ${choice.model} is selected but ${KEY_VARIABLE[choice.provider]} is not set: add it to the app's environment, then try again.`,
    );
  }
  return createModelClient({
    provider: choice.provider,
    model: choice.model,
    apiKey: apiKey ?? 'not-needed',
    ...(model.baseUrls[choice.provider] ? { baseUrl: model.baseUrls[choice.provider] } : {}),
    timeoutMs: model.timeoutMs,
    maxRetries: model.maxRetries,
  });
}

/** What /health may say about the model: names and hosts, never keys. */
export function describeModelSetup(model: Config['model']): Record<string, unknown> {
  const describe = (choice: ModelChoice | undefined) =>
    choice
      ? {
          provider: choice.provider,
          model: choice.model,
          keyConfigured: Boolean(model.apiKeys[choice.provider]),
          baseUrl: model.baseUrls[choice.provider] ? new URL(model.baseUrls[choice.provider]!).origin : 'default',
        }
      : null;
  return {
    configured: Boolean(model.default) || Object.keys(model.perCommand).length > 0,
    default: describe(model.default),
    perCommand: Object.fromEntries(Object.entries(model.perCommand).map(([command, choice]) => [command, describe(choice)])),
  };
}
