# syntax=docker/dockerfile:1

# Latchkey: one image for the web process (the default command) and the job
# worker (docker-compose overrides the command). TypeScript runs through tsx,
# a runtime dependency, so there is no compile step; the build stage instead
# type-checks, and the image is only ever built from sources that pass.

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
COPY tsconfig.json ./
COPY src ./src
COPY jobs ./jobs
COPY views ./views
COPY public ./public
RUN npx tsc --noEmit -p .

# ---- runtime: production dependencies only, runs as `node` ------------------
FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
# Application files come from the stage that type-checked them. They stay
# owned by root: the process can read its code but not change it.
COPY --from=build /app/tsconfig.json ./
COPY --from=build /app/src ./src
COPY --from=build /app/jobs ./jobs
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public

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
# server without its graceful drain.
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "src/server.ts"]
