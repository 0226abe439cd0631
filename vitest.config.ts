import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database and Redis key prefix, so files run in parallel.
    fileParallelism: true,
    // Vitest's default is cores − 1 (one worker here); most files wait on
    // PostgreSQL, Redis, Chromium or a child process, so two workers on two
    // cores halve the wall time (three measured no better).
    maxWorkers: 2,
  },
});
