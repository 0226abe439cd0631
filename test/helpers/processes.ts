import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

// The real entry points (src/server.ts, npm start, jobs/worker.ts) as child
// processes, for tests of start-up, shutdown and outages.
export const projectRoot = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Runs `command` in the project with only PATH, HOME and `env`; collects its
// output for assertions and failure messages.
export function startProcess(command: string[], env: Record<string, string>) {
  const child = spawn(command[0]!, command.slice(1), { cwd: projectRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

export const serverCommand = [process.execPath, "--import", "tsx", "src/server.ts"];
