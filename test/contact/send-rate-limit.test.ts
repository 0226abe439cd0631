import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/platform/clock.js";
import { createUser, signedInClient } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// "Send code" within 60 s of the last code to the same target is refused
// with 429; the card says when a code may be asked for, and counts down,
// instead of coming back without a word (issue 16).
const clock = manualClock(new Date("2026-11-23T09:00:00Z"));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

describe("a rate-limited Send code", () => {
  it("answers with the wait, a disabled button and a countdown, then lets the code go out", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    expect((await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" }, { htmx: true })).status).toBe(200);
    await app.sms.waitFor("+447911123456", /Latchkey code/);
    // Changed their mind, then asked again for the same number 18 s later.
    await client.post("/settings/profile/phone/cancel", {}, { htmx: true });
    clock.advance(18_000);

    const refused = await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" }, { htmx: true });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('data-stage="new"');
    expect(refused.text).toMatch(/role="alert"[^>]*>You can ask for a new code in 42 s\./);
    expect(refused.text).toMatch(/<button type="submit" class="button button--primary" disabled>Send code<\/button>/);
    expect(refused.text).toContain('data-testid="resend-countdown">You can ask for a new code in 42 s<');
    // The number typed stays in the field.
    expect(refused.text).toContain('value="+44 7911 123456"');

    clock.advance(12_000);
    const tick = await client.get("/settings/profile/phone/resend", { "hx-request": "true" });
    expect(tick.text).toContain("You can ask for a new code in 30 s");
    clock.advance(30_000);
    const ready = await client.get("/settings/profile/phone/resend", { "hx-request": "true" });
    expect(ready.text).not.toContain("You can ask for a new code");
    expect(ready.text).toMatch(/<button type="submit" class="button button--primary">Send code<\/button>/);
    expect((await client.post("/settings/profile/phone/send", { value: "+44 7911 123456" }, { htmx: true })).status).toBe(200);
  });

  it("without JavaScript shows the same wait on the profile page", async () => {
    const user = await createUser(app.deps);
    const client = await signedInClient(app.baseUrl, user);
    await client.get("/settings/profile");
    await client.post("/settings/profile/phone/send", { value: "+44 7911 123457" });
    await client.post("/settings/profile/phone/cancel", {});
    const refused = await client.post("/settings/profile/phone/send", { value: "+44 7911 123457" });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("You can ask for a new code in 60 s");
  });
});
