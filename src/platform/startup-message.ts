// What a person starting Latchkey in a terminal needs to know, in words:
// where it runs, where to go first, where its data and generated key live
// and where mail goes without SMTP. Not on a terminal, or in production,
// the same facts go into the one JSON log line instead (server.ts).
export interface StartupFacts {
  url: string;
  // No account yet: the first visit goes to /setup.
  needsSetup: boolean;
  database: { kind: "postgres" | "pglite"; directory?: string };
  // Set when the key was generated (no SECRET_KEY given).
  secretKeyFile?: string;
  // Set when SMTP is off: mail goes to files and the dev mailbox page.
  mailbox?: { url: string; directory: string };
}

export function wantsHumanStartup(env: string, stdoutIsTty: boolean | undefined): boolean {
  return Boolean(stdoutIsTty) && env !== "production";
}

export function startupText(facts: StartupFacts): string {
  const lines = [`Latchkey is running at ${facts.url}`];
  if (facts.needsSetup) lines.push(`  First run: open ${facts.url}/setup to create the administrator account.`);
  lines.push(
    facts.database.kind === "pglite"
      ? `  Database: embedded PostgreSQL (PGlite) in ${facts.database.directory ?? "the data directory"}. Set DATABASE_URL to use a PostgreSQL server.`
      : "  Database: the PostgreSQL server at DATABASE_URL.",
  );
  if (facts.secretKeyFile) {
    lines.push(`  Secret key: generated and kept in ${facts.secretKeyFile}. Back it up: without it sessions and stored secrets cannot be read. Set SECRET_KEY in production.`);
  }
  if (facts.mailbox) {
    lines.push(`  Mail: SMTP_URL is not set, so mail is written to ${facts.mailbox.directory} and shown at ${facts.mailbox.url} (instance administrators).`);
  }
  lines.push("  Stop with Ctrl+C.");
  return `${lines.join("\n")}\n`;
}

// The same facts for the JSON log line.
export function startupFields(facts: StartupFacts): Record<string, unknown> {
  return {
    url: facts.url,
    database: facts.database.kind,
    ...(facts.database.directory ? { databaseDirectory: facts.database.directory } : {}),
    ...(facts.needsSetup ? { setupUrl: `${facts.url}/setup` } : {}),
    ...(facts.secretKeyFile ? { secretKeyFile: facts.secretKeyFile } : {}),
    ...(facts.mailbox ? { mailboxUrl: facts.mailbox.url, mailDirectory: facts.mailbox.directory } : {}),
  };
}
