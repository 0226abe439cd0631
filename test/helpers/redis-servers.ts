import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./processes.js";

// Throwaway Redis servers on loopback for the Redis Cluster and Sentinel
// tests, from Debian's redis-server (apt-get install redis-server): each in
// its own temp dir, on random free ports, nothing saved to disk. Only the
// processes started here are stopped, by their own handles.

export const redisServerPath = (() => {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();

export const redisServerMissing =
  "redis-server is not installed (apt-get install redis-server): the Redis Cluster and Sentinel tests are skipped. Everything else runs against TEST_REDIS_URL.";

interface Started {
  child: ChildProcess;
  output(): string;
}

function startRedis(args: string[]): Started {
  const child = spawn(redisServerPath!, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function stop(started: Started[]): Promise<void> {
  await Promise.all(
    started.map(({ child }) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 5000).unref();
          }),
    ),
  );
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, details = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} within ${timeoutMs} ms\n${details()}`);
}

async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {}); // not up yet: the caller polls
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

const ephemeral = (dir: string) => ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "no"];

export interface RedisCluster {
  // REDIS_CLUSTER_NODES: "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3".
  nodes: string;
  ports: number[];
  // Stops every node (an outage of the whole cluster; data is lost, nothing
  // is saved) and starts them again from their cluster config files, waiting
  // for cluster_state:ok.
  stopAll(): Promise<void>;
  startAll(): Promise<void>;
  close(): Promise<void>;
}

// `masters` masters and no replicas, created with `redis-cli --cluster create`,
// returned once every node reports cluster_state:ok.
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-cluster-"));
  const ports: number[] = [];
  const started: Started[] = [];
  const close = async () => {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  };
  const nodeArgs: string[][] = [];
  const log = () => started.map((server) => server.output()).join("\n");
  const waitForClusterOk = async () => {
    for (const port of ports) {
      await waitUntil(`the cluster node on ${port} did not reach cluster_state:ok`, async () => String(await ask(port, "CLUSTER", "INFO")).includes("cluster_state:ok"), 20_000, log);
    }
  };
  const startNodes = async () => {
    for (const args of nodeArgs) started.push(startRedis(args));
    for (const port of ports) await waitUntil(`redis-server on ${port} did not answer`, async () => (await ask(port, "PING")) === "PONG", 10_000, log);
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The cluster bus gets its own free port (the default, port + 10000,
      // may be taken or above 65535).
      const busPort = await freePort();
      ports.push(port);
      nodeArgs.push([
        "--port", String(port),
        "--cluster-enabled", "yes",
        "--cluster-config-file", path.join(dir, `nodes-${port}.conf`),
        "--cluster-port", String(busPort),
        "--cluster-node-timeout", "5000",
        ...ephemeral(dir),
      ]);
    }
    await startNodes();
    const create = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8", timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await waitForClusterOk();
    return {
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
      ports,
      async stopAll() {
        await stop(started.splice(0));
      },
      async startAll() {
        await startNodes();
        await waitForClusterOk();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface RedisSentinel {
  // REDIS_SENTINELS and REDIS_SENTINEL_NAME.
  sentinels: string;
  name: string;
  masterPort: number;
  replicaPort: number;
  // The port of the master the sentinel names now.
  currentMasterPort(): Promise<number>;
  // SENTINEL FAILOVER: promotes the replica; resolves once the sentinel names it.
  failover(): Promise<void>;
  close(): Promise<void>;
}

// One master, one replica and one sentinel monitoring them (quorum 1).
export async function startRedisSentinel(name = "latchkey-test"): Promise<RedisSentinel> {
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-sentinel-"));
  const started: Started[] = [];
  const close = async () => {
    await stop(started);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const masterPort = await freePort();
    started.push(startRedis(["--port", String(masterPort), ...ephemeral(dir)]));
    await waitUntil(`redis-server on ${masterPort} did not answer`, async () => (await ask(masterPort, "PING")) === "PONG", 10_000, () => started[0]!.output());
    const replicaPort = await freePort();
    started.push(startRedis(["--port", String(replicaPort), "--replicaof", "127.0.0.1", String(masterPort), ...ephemeral(dir)]));
    await waitUntil(`the replica on ${replicaPort} did not sync`, async () => String(await ask(replicaPort, "INFO", "replication")).includes("master_link_status:up"), 10_000, () => started[1]!.output());
    const sentinelPort = await freePort();
    // A sentinel rewrites its configuration file, so it must be a file of its own.
    const configFile = path.join(dir, "sentinel.conf");
    writeFileSync(
      configFile,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 2000`,
        `sentinel failover-timeout ${name} 10000`,
        "",
      ].join("\n"),
    );
    started.push(startRedis([configFile, "--sentinel"]));
    await waitUntil(
      `the sentinel on ${sentinelPort} did not know the master`,
      async () => {
        const address = (await ask(sentinelPort, "SENTINEL", "get-master-addr-by-name", name)) as string[] | null;
        return Array.isArray(address) && Number(address[1]) === masterPort;
      },
      10_000,
      () => started.map((server) => server.output()).join("\n"),
    );
    const currentMasterPort = async () => Number(((await ask(sentinelPort, "SENTINEL", "get-master-addr-by-name", name)) as string[])[1]);
    return {
      sentinels: `127.0.0.1:${sentinelPort}`,
      name,
      masterPort,
      replicaPort,
      currentMasterPort,
      async failover() {
        // The sentinel learns of replicas from the master's INFO (every 10 s at first).
        await waitUntil("the sentinel did not see the replica", async () => ((await ask(sentinelPort, "SENTINEL", "REPLICAS", name)) as unknown[]).length > 0, 30_000);
        await ask(sentinelPort, "SENTINEL", "FAILOVER", name);
        await waitUntil("the sentinel did not promote the replica", async () => (await currentMasterPort()) === replicaPort, 30_000, () => started.map((server) => server.output()).join("\n"));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
