import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// A real SMTP server on a free loopback port that keeps every mail it is
// given, for tests that send mail through the app's SMTP transport (the
// in-memory outbox of test-app.ts skips that transport).
export interface CaughtMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpCatcher {
  // SMTP_URL for the app: smtp://127.0.0.1:<port>.
  readonly url: string;
  // Every mail so far, in arrival order (the array itself grows).
  readonly received: CaughtMail[];
  // The raw mail (quoted-printable soft breaks joined) to `address` whose
  // raw text matches `pattern`, waiting for it up to `timeoutMs`.
  mailTo(address: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const received: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async mailTo(address, pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mail = received.find((candidate) => candidate.to.includes(address) && pattern.test(candidate.raw));
        if (mail) return mail.raw.replace(/=\r?\n/g, "");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no SMTP mail to ${address} matching ${pattern}`);
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
