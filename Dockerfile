# The aispm service image: the CLI compiled to JavaScript (dist/, `npm run build`), `aispm serve` by default.
# Built by docker-compose.yml; on its own:  docker build -t aispm .  &&  docker run -p 4000:4000 -e AISPM_TOKENS=… aispm

# --- build: a separate stage so the compiler toolchain and dev dependencies stay out of the final image ------------
# Node 24 is the LTS line; pinned to a minor so that a rebuild does not move to another one unannounced.
FROM node:24.21-slim AS build
WORKDIR /app
# better-sqlite3 is a native module: npm installs a prebuilt binary when one matches, else compiles it with these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY services ./services
COPY ingest ./ingest
COPY queries ./queries
# npm ci: exactly the lock file, dev dependencies included for the compiler; its `prepare` script builds dist/.
# Then the dev dependencies go: tsx (the fallback runner for edited sources) is a dependency and stays.
RUN npm ci --no-audit --no-fund && test -f dist/sources.json && npm prune --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------------------------------
FROM node:24.21-slim
WORKDIR /app
ENV NODE_ENV=production
# Only what runs is copied (no tests, no .git, no host node_modules or local .aispm stores); .dockerignore also keeps
# secrets (.env, token files) and local stores out of the build context itself. The sources come from the build
# stage with dist/, so their sizes and times match dist/sources.json and the launcher runs the compiled JavaScript.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY --from=build /app/services ./services
COPY --from=build /app/ingest ./ingest
COPY --from=build /app/queries ./queries
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
