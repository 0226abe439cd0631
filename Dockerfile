# syntax=docker/dockerfile:1

# Latchkey: one image for the web process (the default command) and the job
# worker (docker-compose overrides the command). The build stage type-checks
# and compiles the TypeScript to dist/ (tsc, tsconfig.build.json); the image
# runs that JavaScript: it boots in about half the time of the tsx loader and
# needs no esbuild service process beside each server (README, performance).

ARG NODE_VERSION=24

# ---- base: the Node LTS runtime both stages share ---------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---- build: full install (dev dependencies too) and a type-check ------------
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/start.cjs ./scripts/start.cjs
COPY src ./src
COPY jobs ./jobs
COPY views ./views
COPY public ./public
COPY locales ./locales
RUN npx tsc --noEmit -p . && node scripts/start.cjs --build-only

# ---- runtime: production dependencies only, runs as `node` ------------------
FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
# Application files come from the stage that type-checked them. They stay
# owned by root: the process can read its code but not change it.
# Compiled JavaScript only; the migrations' SQL stays where the code looks
# for it (src/db/migrations). No .ts file and no tsconfig: scripts/start.cjs
# then takes dist/ as it is.
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/start.cjs ./scripts/start.cjs
COPY --from=build /app/src/db/migrations ./src/db/migrations
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/locales ./locales

# DATA_DIR holds the mail outbox (without SMTP) and, without DATABASE_URL, the
# embedded PGlite database. Created here so a new named volume starts out
# owned by `node`.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

USER node
EXPOSE 3000

# /healthz answers while the process is up; /readyz also checks PostgreSQL and Redis.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# glibc keeps freed argon2 buffers in many arenas; two bound RSS (README, memory).
ENV MALLOC_ARENA_MAX=2

# The same as `npm start`, without npm, so node itself is PID 1 and
# receives SIGTERM: npm runs scripts through `sh -c`, and Debian's dash neither
# execs the command nor passes the signal on, so `docker stop` would kill the
# server without its graceful drain. scripts/start.cjs sizes the libuv
# threadpool (UV_THREADPOOL_SIZE, cores + 2 unless set: set it to the CPU
# limit + 2 when the container's CPU quota is below the host's core count),
# then runs dist/src/server.js in this process.
CMD ["node", "--max-old-space-size=256", "scripts/start.cjs"]
