# syntax=docker/dockerfile:1
# ticketsmith runs its TypeScript directly with Node's type stripping: no build step, so the
# image holds exactly the source that was reviewed.

# --- dependencies: production modules only, from the lockfile ---------------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------------
FROM node:24-slim AS runtime
# git clones ticket workspaces; bubblewrap (with util-linux's prlimit) is the sandbox that runs
# repository code; python3 runs Python repositories' code; tini reaps the child processes the
# worker spawns and forwards signals so shutdown is graceful. bubblewrap needs unprivileged user
# namespaces: Docker's default seccomp profile blocks them, so run worker containers with
# `--security-opt seccomp=unconfined` (or a profile allowing clone(CLONE_NEWUSER)).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git python3 ca-certificates tini bubblewrap util-linux \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    LOG_FORMAT=json

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY prompts ./prompts
COPY src ./src

# The image's unprivileged `node` user (uid 1000) owns only the data directory.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "--experimental-strip-types", "--disable-warning=ExperimentalWarning", "src/main.ts"]
# Override with `--role web` or `--role worker` to run webhook and worker nodes apart.
CMD ["--role", "all"]
