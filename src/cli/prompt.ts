import { createInterface } from "node:readline";

// Reads a secret: from a terminal with echo off, or as one line of piped
// stdin (for scripts and tests). Never from the command line, where it
// would end up in the shell history and the process list.
export async function readSecret(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) return nextPipedLine(input);
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") {
          finish();
          output.write("\n");
          return resolve(value);
        }
        if (char === "\u0003") {
          finish();
          return reject(new Error("Cancelled."));
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on("data", onData);
  });
}

let pipedLines: AsyncIterator<string> | undefined;

async function nextPipedLine(input: NodeJS.ReadStream): Promise<string> {
  pipedLines ??= createInterface({ input, terminal: false })[Symbol.asyncIterator]();
  const next = await pipedLines.next();
  if (next.done) throw new Error("Expected the password on standard input (one line), or run this in a terminal.");
  return next.value;
}
