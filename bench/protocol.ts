// What bench/run.ts and bench/server.ts agree on (kept apart so importing it
// never starts a server).
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
