# The aispm service image: the CLI run from its TypeScript sources through tsx (no build step), `aispm serve` by default.
# Built by docker-compose.yml; on its own:  docker build -t aispm .  &&  docker run -p 4000:4000 -e AISPM_TOKENS=… aispm

# --- dependencies: a separate stage so the compiler toolchain stays out of the final image -------------------------
# Node 24 is the LTS line; pinned to a minor so that a rebuild does not move to another one unannounced.
FROM node:24.21-slim AS deps
WORKDIR /app
# better-sqlite3 is a native module: npm installs a prebuilt binary when one matches, else compiles it with these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci: exactly the lock file. --omit=dev: tsx (the runtime) is a dependency; typescript and test tools are not needed.
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------------------------------
FROM node:24.21-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# Only what runs is copied (no tests, no .git, no host node_modules or local .aispm stores); .dockerignore also keeps
# secrets (.env, token files) and local stores out of the build context itself.
COPY package.json package-lock.json tsconfig.json ./
COPY schema ./schema
COPY services ./services
COPY ingest ./ingest
COPY queries ./queries
# The embedded SQLite store (the default when AISPM_STORE is not set) writes under /app/.aispm.
RUN mkdir -p /app/.aispm && chown node:node /app/.aispm
# Not root: the image's `node` user.
USER node
EXPOSE 4000
# /healthz answers 200 while the server can read its store; the image has Node but no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "services/cli/aispm.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
