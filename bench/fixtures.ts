// test/support/github-fixtures.ts under plain Node. It imports @octokit/webhooks-examples (a JSON
// file) without `with { type: 'json' }`, which Jest's transform accepts and Node's ESM loader does
// not; a load hook adds the attribute for that one package, then the fixtures load unchanged, so
// the bench sends exactly the payloads and signatures the tests do.
import { registerHooks } from 'node:module';

registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/@octokit/webhooks-examples/') && url.endsWith('.json') && !context.importAttributes?.type) {
      return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
    }
    return nextLoad(url, context);
  },
});

export const { issueCommentPayload, newDeliveryId, signPayload, testPrivateKey } = await import('../test/support/github-fixtures.ts');
