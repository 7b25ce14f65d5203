// One Probot instance per process: it verifies webhooks (web role) and mints installation
// tokens (worker role). Its base URL follows GHE_HOST/GHE_PROTOCOL, so a stand-in can replace GitHub.
import { Probot, ProbotOctokit } from 'probot';
import type { Config, GitHubAppCredentials } from '../config.ts';
import type { Logger } from '../log.ts';
import { RepoGateway, type GitHubConnector } from './repo-gateway.ts';

export function createProbotInstance(config: Config, app: GitHubAppCredentials, log: Logger): Probot {
  // Throttling and retries belong in production; tests turn them off so a mocked 5xx surfaces at once.
  // A function default, because Probot layers its own throttle object over ours shallowly.
  const Octokit = config.github.retryAndThrottle
    ? ProbotOctokit
    : ProbotOctokit.defaults((options: Record<string, any>) => ({
        ...options,
        throttle: { ...options.throttle, enabled: false },
        retry: { ...options.retry, enabled: false },
      }));
  return new Probot({
    appId: app.appId,
    privateKey: app.privateKey,
    secret: app.webhookSecret,
    baseUrl: config.github.apiBaseUrl,
    webhookPath: config.github.webhookPath,
    log: log.child({ name: 'probot' }),
    Octokit,
  });
}

export function probotConnector(probot: Probot): GitHubConnector {
  return {
    async forRepo(installationId, owner, repo) {
      const octokit = await probot.auth(installationId);
      return new RepoGateway(octokit, owner, repo);
    },
  };
}
