import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { JobDefinition, JobDeps } from "../../src/platform/jobs/index.js";
import { performOnce } from "../../src/platform/jobs/perform-once.js";
import { createMailTransport, readOutbox } from "../../src/platform/mail.js";
import { TEST_REDIS_URL } from "../helpers/env.js";

// A job may reach a worker twice (the relay re-adds a row it could not delete,
// BullMQ re-runs a killed worker's jobs); its effect must happen once.
let redis: Redis;
let dataDir: string;
const prefix = `lk-once-${randomBytes(5).toString("hex")}:`;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-once-"));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

function countingJob(behaviour: () => Promise<void> = async () => {}) {
  const runs: string[] = [];
  const job: JobDefinition<{ n: number }> = {
    name: "count",
    queue: "test",
    schema: z.object({ n: z.number() }),
    async perform(_deps, _payload, { jobId }) {
      runs.push(jobId);
      await behaviour();
    },
  };
  return { job, runs };
}

const jobDeps = () => ({ config: { redisPrefix: prefix }, redis }) as unknown as JobDeps;

describe("a job id", () => {
  it("has its effect once however often it is delivered", async () => {
    const { job, runs } = countingJob();
    expect(await performOnce(jobDeps(), job, "job-a", { n: 1 })).toBe("performed");
    expect(await performOnce(jobDeps(), job, "job-a", { n: 1 })).toBe("already-done");
    expect(await performOnce(jobDeps(), job, "job-b", { n: 2 })).toBe("performed");
    expect(runs).toEqual(["job-a", "job-b"]);
  });

  it("runs again after a failed attempt, since nothing was done", async () => {
    let fail = true;
    const { job, runs } = countingJob(async () => {
      if (fail) throw new Error("gateway down");
    });
    await expect(performOnce(jobDeps(), job, "job-c", { n: 3 })).rejects.toThrow("gateway down");
    fail = false;
    expect(await performOnce(jobDeps(), job, "job-c", { n: 3 })).toBe("performed");
    expect(runs).toEqual(["job-c", "job-c"]);
  });

  it("fails for good on a payload that does not match the job's schema, without echoing it", async () => {
    const { job, runs } = countingJob();
    const error = (await performOnce(jobDeps(), job, "job-d", { n: "secret-123456" }).catch((caught: unknown) => caught)) as Error;
    expect(error.name).toBe("UnrecoverableError"); // BullMQ does not retry it
    expect(error.message).toMatch(/does not match its schema/);
    expect(error.message).not.toContain("secret-123456");
    expect(runs).toEqual([]);
  });
});

describe("transports keyed by the job id", () => {
  const message = { to: "keyed@example.test", subject: "Your Latchkey verification code", text: "Your code is 654321." };

  it("the file outbox overwrites a second delivery of the same key", async () => {
    const outboxDir = path.join(dataDir, "outbox");
    const mailer = createMailTransport({ from: "Latchkey <no-reply@latchkey.test>", outboxDir });
    await mailer.send(message, { key: "6f1c0d1e-0000-4000-8000-000000000001" });
    await mailer.send(message, { key: "6f1c0d1e-0000-4000-8000-000000000001" });
    await mailer.send(message, { key: "6f1c0d1e-0000-4000-8000-000000000002" });
    expect(readOutbox(outboxDir)).toHaveLength(2);
    expect(readdirSync(outboxDir).filter((file) => !file.endsWith(".json"))).toEqual([]);
  });

  it("SMTP sends the same Message-ID for the same key", async () => {
    const raw: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => (raw.push(Buffer.concat(chunks).toString("utf8")), callback()));
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const mailer = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: "Latchkey <no-reply@latchkey.test>", outboxDir: dataDir });
      await mailer.send(message, { key: "6f1c0d1e-0000-4000-8000-000000000003" });
      await mailer.send(message, { key: "6f1c0d1e-0000-4000-8000-000000000003" });
      const ids = raw.map((mail) => /^Message-ID: (.+)$/im.exec(mail)?.[1]?.trim());
      expect(ids).toEqual(["<6f1c0d1e-0000-4000-8000-000000000003@latchkey.test>", "<6f1c0d1e-0000-4000-8000-000000000003@latchkey.test>"]);
    } finally {
      await new Promise<void>((resolve) => smtp.close(resolve));
    }
  });
});
