// What bench/run.ts and bench/server.ts agree on (kept apart so importing it
// never starts a server).
import type { ChildProcess } from "node:child_process";

export type ServerMode = "floor" | "floor-db" | "app";

export type ServerMessage =
  | { type: "ready"; port: number }
  | { type: "error"; message: string }
  // Answer to "cpu": process.cpuUsage() of the server, in microseconds.
  | { type: "cpu"; user: number; system: number }
  // Answer to "memory": process.memoryUsage() of the server, in bytes.
  | { type: "memory"; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  // Answer to { type: "profile", file? }: profiling started, or stopped and written to file.
  | { type: "profile" };

export const FLOOR_SIGN_IN_PATH = "/bench/sign-in";
export const FLOOR_PAGE_PATH = "/page";

// Sends a request to a bench server and waits for its answer of that type.
export function askServer<T extends "cpu" | "memory" | "profile">(
  child: ChildProcess,
  type: T,
  request: string | object = type,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: ServerMessage) => {
      if (message.type !== type) return;
      child.off("message", listener);
      resolve(message as Extract<ServerMessage, { type: T }>);
    };
    child.on("message", listener);
    child.send(request);
  });
}
