import type { ModelClient, ModelClientOptions } from './model-client.ts';
import { createAnthropicClient } from './anthropic.ts';
import { createOpenAIClient } from './openai.ts';

export function createModelClient(options: ModelClientOptions): ModelClient {
  switch (options.provider) {
    case 'openai':
      return createOpenAIClient(options);
    case 'anthropic':
      return createAnthropicClient(options);
    default: {
      // Config is parsed from untrusted env/JSON, so guard at runtime even though the type is closed.
      const unknown: never = options.provider;
      throw new Error(`Unknown model provider "${String(unknown)}"; expected "openai" or "anthropic".`);
    }
  }
}
