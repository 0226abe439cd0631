import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { avatars } from "../../src/modules/profile/tables.js";
import { createUser, newUserOnProfilePage } from "../helpers/factories.js";
import type { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { animatedGif, blob, noisyPngOver2MB, pngImage, sidewaysJpegWithExif, webpImage } from "./images.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

async function hasAvatar(userId: string) {
  return (await app.deps.db.select({ userId: avatars.userId }).from(avatars).where(eq(avatars.userId, userId))).length > 0;
}

async function fetchAvatar(client: HttpClient, userId: string) {
  const response = await fetch(new URL(`/avatars/${userId}`, app.baseUrl), { redirect: "manual", headers: { cookie: client.cookieHeader() } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

const avatarPart = async (): Promise<[string, Blob, string]> => ["avatar", blob(await pngImage(), "image/png"), "me.png"];

describe("CSRF on the multipart upload", () => {
  it("refuses an upload without a token with 403 and stores nothing", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.postMultipart("/settings/profile/avatar", [await avatarPart()], { csrf: null });
    expect(response.status).toBe(403);
    expect(await hasAvatar(user.id)).toBe(false);
  });

  it("refuses a wrong token, and a token of another session", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const { client: other } = await newUserOnProfilePage(app.deps, app.baseUrl);
    expect((await client.postMultipart("/settings/profile/avatar", [await avatarPart()], { csrf: "x".repeat(64) })).status).toBe(403);
    expect((await client.postMultipart("/settings/profile/avatar", [await avatarPart()], { csrf: other.csrfToken })).status).toBe(403);
    expect(await hasAvatar(user.id)).toBe(false);
  });

  it("checks the token before judging the file: an oversized forged upload gets 403, not a form", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.postMultipart("/settings/profile/avatar", [["avatar", blob(await noisyPngOver2MB(), "image/png"), "huge.png"]], { csrf: null });
    expect(response.status).toBe(403);
    expect(response.text).not.toContain("field-avatar-error");
    expect(await hasAvatar(user.id)).toBe(false);
  });

  it("refuses a cross-site request even with a valid token", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.postMultipart("/settings/profile/avatar", [await avatarPart()], { headers: { "sec-fetch-site": "cross-site" } });
    expect(response.status).toBe(403);
    expect(await hasAvatar(user.id)).toBe(false);
  });

  it("accepts the token in the x-csrf-token header, as htmx sends it", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.postMultipart("/settings/profile/avatar", [await avatarPart()], {
      csrf: null,
      htmx: true,
      headers: { "x-csrf-token": client.csrfToken! },
    });
    expect(response.status).toBe(204);
    expect(await hasAvatar(user.id)).toBe(true);
  });

  it("refuses removal without a token", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await client.postMultipart("/settings/profile/avatar", [await avatarPart()]);
    expect(await hasAvatar(user.id)).toBe(true);
    expect((await client.post("/settings/profile/avatar/remove", {}, { csrf: null })).status).toBe(403);
    expect(await hasAvatar(user.id)).toBe(true);
  });

  it("does not parse multipart bodies anywhere else", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const form: Array<[string, string]> = [["username", "multipart_name"]];
    // The token is in the body, which only the avatar upload path parses.
    expect((await client.postMultipart("/settings/profile/username", form)).status).toBe(403);
  });
});

describe("what is served", () => {
  it.each([
    ["PNG", pngImage, "image/png", "a.png"],
    ["JPEG", sidewaysJpegWithExif, "image/jpeg", "a.jpg"],
    ["GIF", animatedGif, "image/gif", "a.gif"],
    ["WebP", webpImage, "image/webp", "a.webp"],
    // The browser's claim is ignored: a PNG sent as text/html is still re-encoded.
    ["PNG declared as text/html", pngImage, "text/html", "page.html"],
  ])("is always image/webp, whatever was uploaded (%s)", async (_kind, make, type, filename) => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    expect((await client.postMultipart("/settings/profile/avatar", [["avatar", blob(await make(), type), filename]])).status).toBe(303);
    const { response, body } = await fetchAvatar(client, user.id);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(body.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(body.subarray(8, 12).toString("latin1")).toBe("WEBP");
  });

  it("re-encodes polyglots: HTML appended to a valid PNG is not served back", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const payload = "<html><script>alert(document.cookie)</script></html>";
    const polyglot = Buffer.concat([await pngImage(), Buffer.from(payload)]);
    expect((await client.postMultipart("/settings/profile/avatar", [["avatar", blob(polyglot, "image/png"), "poly.png"]])).status).toBe(303);
    const { body } = await fetchAvatar(client, user.id);
    expect(body.includes("<script>")).toBe(false);
  });

  it("answers 404 for an unknown user id, a user without an avatar and a malformed id", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const withoutAvatar = await createUser(app.deps);
    expect((await fetchAvatar(client, randomUUID())).response.status).toBe(404);
    expect((await fetchAvatar(client, withoutAvatar.id)).response.status).toBe(404);
    expect((await fetchAvatar(client, "not-a-uuid")).response.status).toBe(404);
    expect((await fetchAvatar(client, "00000000-0000-0000-0000-000000000000' or '1'='1")).response.status).toBe(404);
  });

  it("lets any signed-in user see another user's avatar, which only its owner can change", async () => {
    const { user: alice, client: aliceClient } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const { client: bobClient } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await aliceClient.postMultipart("/settings/profile/avatar", [await avatarPart()]);
    const seenByBob = await fetchAvatar(bobClient, alice.id);
    expect(seenByBob.response.status).toBe(200);
    // Bob's remove acts on Bob's account only; there is no way to name Alice's.
    await bobClient.get("/settings/profile");
    expect((await bobClient.post("/settings/profile/avatar/remove", { userId: alice.id })).status).toBe(303);
    expect(await hasAvatar(alice.id)).toBe(true);
  });
});
