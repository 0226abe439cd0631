import { describe, expect, it } from "vitest";
import { startupFields, startupText, wantsHumanStartup } from "../../src/platform/startup-message.js";

// The start-up message (issue 16): human words on a terminal outside
// production, the same facts as JSON otherwise.
describe("the start-up message", () => {
  const firstRun = {
    url: "http://localhost:3000",
    needsSetup: true,
    database: { kind: "pglite" as const, directory: "/srv/latchkey/data/pglite" },
    secretKeyFile: "/srv/latchkey/data/secret.key",
    mailbox: { url: "http://localhost:3000/dev/mailbox", directory: "/srv/latchkey/data/outbox" },
  };

  it("is words on a terminal, JSON when not a terminal or in production", () => {
    expect(wantsHumanStartup("development", true)).toBe(true);
    expect(wantsHumanStartup("development", false)).toBe(false);
    expect(wantsHumanStartup("development", undefined)).toBe(false);
    expect(wantsHumanStartup("production", true)).toBe(false);
  });

  it("on a first run says where to go, where the data and the generated key live, and where mail goes", () => {
    const text = startupText(firstRun);
    expect(text).toContain("Latchkey is running at http://localhost:3000");
    expect(text).toContain("open http://localhost:3000/setup to create the administrator account");
    expect(text).toContain("embedded PostgreSQL (PGlite) in /srv/latchkey/data/pglite");
    expect(text).toContain("generated and kept in /srv/latchkey/data/secret.key");
    expect(text).toContain("mail is written to /srv/latchkey/data/outbox and shown at http://localhost:3000/dev/mailbox");
    expect(text).not.toMatch(/^\{/);
  });

  it("leaves out what does not apply: setup done, a PostgreSQL server, SECRET_KEY and SMTP set", () => {
    const text = startupText({ url: "https://id.example.com", needsSetup: false, database: { kind: "postgres" } });
    expect(text).not.toContain("/setup");
    expect(text).toContain("the PostgreSQL server at DATABASE_URL");
    expect(text).not.toContain("Secret key");
    expect(text).not.toContain("Mail:");
  });

  it("gives the same facts to the JSON line", () => {
    expect(startupFields(firstRun)).toEqual({
      url: "http://localhost:3000",
      database: "pglite",
      databaseDirectory: "/srv/latchkey/data/pglite",
      setupUrl: "http://localhost:3000/setup",
      secretKeyFile: "/srv/latchkey/data/secret.key",
      mailboxUrl: "http://localhost:3000/dev/mailbox",
      mailDirectory: "/srv/latchkey/data/outbox",
    });
  });
});
