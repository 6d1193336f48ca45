# The aispm service image: the CLI run from its TypeScript sources through tsx (no build step), `aispm serve` by default.
# Built by docker-compose.yml; on its own:  docker build -t aispm .  &&  docker run -p 4000:4000 -e AISPM_TOKENS=… aispm

# --- dependencies: a separate stage so the compiler toolchain stays out of the final image -------------------------
FROM node:20-slim AS deps
WORKDIR /app
# better-sqlite3 is a native module: npm installs a prebuilt binary when one matches, else compiles it with these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci: exactly the lock file. --omit=dev: tsx (the runtime) is a dependency; typescript and test tools are not needed.
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------------------------------
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# Only what runs is copied (no tests, no .git, no host node_modules or local .aispm stores), so the image does not
# depend on a .dockerignore being present.
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
ENTRYPOINT ["node", "services/cli/aispm.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
