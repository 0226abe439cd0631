import net from "node:net";

// A loopback proxy in front of Redis that reads the RESP commands clients
// send (arrays of bulk strings, which is all ioredis sends) well enough to
// count them, and can cut Redis off at an exact command of one connection:
//   "before": the command never reaches Redis;
//   "after":  Redis runs the command but its reply is lost.
// Connections are told apart by the name ioredis sends on connect
// (CLIENT SETNAME, see src/platform/redis.ts), which survives reconnects,
// unlike the order in which connections arrive.
export type CutMode = "before" | "after";

export interface RespCutProxy {
  url(template: string): string;
  // Start counting the commands of the connections named `name`.
  record(name: string): void;
  // The commands counted since record() or arm(), as "NAME" (upper case).
  recorded(): string[];
  // Cut everything when the command at index `at` (0-based, since now) of
  // the connections named `name` arrives.
  arm(name: string, at: number, mode: CutMode): void;
  // Whether the armed cut happened.
  readonly cut: boolean;
  restore(): Promise<void>;
  stop(): Promise<void>;
}

// Splits a client's byte stream into commands. Tolerant: anything it cannot
// read as an array of bulk strings is skipped up to the next line end.
class RespReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.readCommand();
      if (!parsed) break;
      commands.push(parsed);
    }
    return commands;
  }

  private readCommand(): string[] | undefined {
    let offset = 0;
    const line = () => {
      const end = this.buffer.indexOf("\r\n", offset);
      if (end < 0) return undefined;
      const text = this.buffer.toString("latin1", offset, end);
      offset = end + 2;
      return text;
    };
    const header = line();
    if (header === undefined) return undefined;
    if (!header.startsWith("*")) {
      this.buffer = this.buffer.subarray(offset);
      return [header.split(" ")[0] ?? ""];
    }
    const count = Number(header.slice(1));
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const size = line();
      if (size === undefined) return undefined;
      const length = Number(size.slice(1));
      if (this.buffer.length < offset + length + 2) return undefined;
      parts.push(this.buffer.toString("utf8", offset, offset + length));
      offset += length + 2;
    }
    this.buffer = this.buffer.subarray(offset);
    return parts;
  }
}

export async function startRespCutProxy(targetHost: string, targetPort: number): Promise<RespCutProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let watched: string | null = null;
  let seen: string[] = [];
  let plan: { at: number; mode: CutMode } | null = null;
  let cut = false;
  // Down from the cut until restore(): nothing passes.
  let down = false;

  const cutEverything = () => {
    cut = true;
    down = true;
    plan = null;
    for (const socket of sockets) socket.destroy();
    server?.close();
  };

  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        const reader = new RespReader();
        let name = "";
        let dropReplies = false;
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.on("data", (chunk: Buffer) => {
          for (const command of reader.push(chunk)) {
            const verb = (command[0] ?? "").toUpperCase();
            if (verb === "CLIENT" && command[1]?.toUpperCase() === "SETNAME") name = command[2] ?? "";
            if (watched === null || name !== watched || down) continue;
            const index = seen.length;
            seen.push(verb);
            if (plan && index === plan.at) {
              if (plan.mode === "before") return cutEverything();
              // Forward what has arrived, then cut at the next reply.
              dropReplies = true;
            }
          }
          if (!down) upstream.write(chunk);
        });
        upstream.on("data", (chunk: Buffer) => {
          if (dropReplies) return cutEverything();
          client.write(chunk);
        });
        client.on("end", () => upstream.end());
        upstream.on("end", () => client.end());
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  await listen();
  return {
    url(template) {
      const url = new URL(template);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    record(name) {
      watched = name;
      seen = [];
      plan = null;
      cut = false;
    },
    recorded: () => [...seen],
    arm(name, at, mode) {
      watched = name;
      seen = [];
      plan = { at, mode };
      cut = false;
    },
    get cut() {
      return cut;
    },
    async restore() {
      plan = null;
      down = false;
      watched = null;
      if (server?.listening) return;
      await listen();
    },
    async stop() {
      watched = null;
      for (const socket of sockets) socket.destroy();
      if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
