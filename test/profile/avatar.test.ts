import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, like } from "drizzle-orm";
import sharp from "sharp";
import { auditEvents } from "../../src/modules/audit/tables.js";
import { avatars } from "../../src/modules/profile/tables.js";
import { createUser, newUserOnProfilePage } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import {
  animatedGif, blob, decompressionBombPng, EXIF_SECRET, noisyPngOver2MB, pixelAt, pngImage, sidewaysJpegWithExif, webpImage,
} from "./images.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

function upload(client: HttpClient, bytes: Buffer, type: string, filename: string, options: { htmx?: boolean } = {}) {
  return client.postMultipart("/settings/profile/avatar", [["avatar", blob(bytes, type), filename]], options);
}

async function storedAvatar(userId: string) {
  const [row] = await app.deps.db.select().from(avatars).where(eq(avatars.userId, userId));
  return row;
}

async function avatarEvents(userId: string) {
  return app.deps.db.select().from(auditEvents).where(and(eq(auditEvents.subjectId, userId), like(auditEvents.action, "profile.avatar_%")));
}

// Binary bodies: the HttpClient reads text, so fetch directly with its cookies.
async function fetchAvatar(client: HttpClient, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, app.baseUrl), { redirect: "manual", headers: { cookie: client.cookieHeader(), ...headers } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

const headerAvatarSrc = (html: string) => /<img class="avatar" src="([^"]+)" alt=""[^>]*data-testid="header-avatar">/.exec(html)?.[1];

describe("uploading an avatar", () => {
  it.each([
    ["PNG", pngImage, "image/png", "me.png"],
    ["WebP", webpImage, "image/webp", "me.webp"],
    ["JPEG", sidewaysJpegWithExif, "image/jpeg", "me.jpg"],
    ["animated GIF", animatedGif, "image/gif", "me.gif"],
  ])("stores a %s as a 256x256 WebP and shows it in the header", async (_kind, make, type, filename) => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await upload(client, await make(), type, filename);
    expect(response.status).toBe(303);
    expect(response.location).toBe("/settings/profile");

    const stored = await storedAvatar(user.id);
    const metadata = await sharp(stored!.image).metadata();
    expect(metadata).toMatchObject({ format: "webp", width: 256, height: 256 });
    expect(metadata.pages ?? 1).toBe(1);
    expect(stored!.etag).toBe(createHash("sha256").update(stored!.image).digest("hex"));

    const page = await client.get("/settings/profile");
    expect(page.text).toContain("Your avatar was updated.");
    expect(headerAvatarSrc(page.text)).toBe(`/avatars/${user.id}?v=${stored!.etag.slice(0, 16)}`);
    expect(page.text).not.toContain('data-testid="header-initials"');
    const [event] = await avatarEvents(user.id);
    expect(event).toMatchObject({ action: "profile.avatar_changed", actorId: user.id });
  });

  it("drops EXIF and other metadata but honours the orientation", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const jpeg = await sidewaysJpegWithExif();
    expect(jpeg.includes(EXIF_SECRET)).toBe(true);
    expect((await upload(client, jpeg, "image/jpeg", "photo.jpg")).status).toBe(303);
    const { image } = (await storedAvatar(user.id))!;
    const metadata = await sharp(image).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(image.includes(EXIF_SECRET)).toBe(false);
    expect(image.includes("Secret Owner")).toBe(false);
    // Left half red turned 90° clockwise: red on top, blue below.
    const [r1, , b1] = await pixelAt(image, 128, 20);
    const [r2, , b2] = await pixelAt(image, 128, 236);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it("keeps only the first frame of an animated GIF", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    expect((await upload(client, await animatedGif(), "image/gif", "anim.gif")).status).toBe(303);
    const [r, g, b] = await pixelAt((await storedAvatar(user.id))!.image, 128, 128);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it("replaces an earlier avatar, and the link changes with it", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await upload(client, await pngImage(), "image/png", "one.png");
    const first = (await client.get("/settings/profile")).text;
    await upload(client, await webpImage(), "image/webp", "two.webp");
    const second = (await client.get("/settings/profile")).text;
    expect(headerAvatarSrc(first)).not.toBe(headerAvatarSrc(second));
    expect(await app.deps.db.select().from(avatars).where(eq(avatars.userId, user.id))).toHaveLength(1);
  });

  it("with htmx answers with an HX-Redirect", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await upload(client, await pngImage(), "image/png", "me.png", { htmx: true });
    expect(response.status).toBe(204);
    expect(response.headers.get("hx-redirect")).toBe("/settings/profile");
  });
});

describe("serving an avatar", () => {
  it("sends the WebP with a fixed type, nosniff, an ETag and private caching; 304 when unchanged", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await upload(client, await pngImage(), "image/png", "me.png");
    const stored = (await storedAvatar(user.id))!;
    const src = headerAvatarSrc((await client.get("/settings/profile")).text)!;

    const { response, body } = await fetchAvatar(client, src);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("private, max-age=86400");
    expect(response.headers.get("etag")).toBe(`"${stored.etag}"`);
    expect(body.equals(stored.image)).toBe(true);

    const revalidated = await fetchAvatar(client, src, { "if-none-match": `"${stored.etag}"` });
    expect(revalidated.response.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.response.headers.get("etag")).toBe(`"${stored.etag}"`);

    const stale = await fetchAvatar(client, src, { "if-none-match": '"some-older-etag"' });
    expect(stale.response.status).toBe(200);
    expect(stale.body.equals(stored.image)).toBe(true);
  });

  it("is for signed-in users only: anonymous requests go to the login page", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await upload(client, await pngImage(), "image/png", "me.png");
    const anonymous = await fetch(new URL(`/avatars/${user.id}`, app.baseUrl), { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/login/);
    expect(anonymous.headers.get("content-type") ?? "").not.toContain("image");
  });
});

describe("removing the avatar", () => {
  it("deletes it: the URL answers 404 and the header shows the initials again", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await upload(client, await pngImage(), "image/png", "me.png");
    const src = headerAvatarSrc((await client.get("/settings/profile")).text)!;

    const response = await client.post("/settings/profile/avatar/remove", {});
    expect(response.status).toBe(303);
    expect(await storedAvatar(user.id)).toBeUndefined();
    expect((await fetchAvatar(client, src)).response.status).toBe(404);

    const page = await client.get("/settings/profile");
    expect(page.text).toContain(`data-testid="header-initials">${user.username.slice(0, 2).toUpperCase()}<`);
    expect(page.text).not.toContain('data-testid="header-avatar"');
    expect(page.text).toContain("No avatar yet");
    expect((await avatarEvents(user.id)).map((event) => event.action).sort()).toEqual(["profile.avatar_changed", "profile.avatar_removed"]);
  });
});

describe("refused uploads store nothing", () => {
  const cases: Array<[string, () => Buffer | Promise<Buffer>, string, string, string]> = [
    ["text bytes named .png", () => Buffer.from("just some text, not an image\n"), "image/png", "fake.png", "Choose a JPEG, PNG, WebP or GIF image."],
    ["an SVG named .png", () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'), "image/png", "icon.png", "Choose a JPEG, PNG, WebP or GIF image."],
    ["a PNG over 2 MB", noisyPngOver2MB, "image/png", "huge.png", "Choose an image up to 2 MB."],
    ["a 10000x10000 PNG (decompression bomb)", () => decompressionBombPng(), "image/png", "bomb.png", "That image is too large to process."],
    ["a truncated PNG", async () => (await noisyPngOver2MB()).subarray(0, 20_000), "image/png", "cut.png", "That image could not be read. Choose another file."],
    ["an empty file", () => Buffer.alloc(0), "image/png", "empty.png", "Choose an image to upload."],
  ];

  it.each(cases)("refuses %s with the message next to the field", async (_name, make, type, filename, message) => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await upload(client, await make(), type, filename);
    expect(response.status).toBe(422);
    expect(response.text).toContain(`id="field-avatar-error">${message}<`);
    expect(response.text).toMatch(/^<!doctype html>/i);
    expect(await storedAvatar(user.id)).toBeUndefined();
    expect(await avatarEvents(user.id)).toHaveLength(0);
    // The session and its CSRF token still work after a refused upload.
    expect((await upload(client, await pngImage(), "image/png", "ok.png")).status).toBe(303);
  });

  it("refuses a form without a file", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await client.postMultipart("/settings/profile/avatar", []);
    expect(response.status).toBe(422);
    expect(response.text).toContain('id="field-avatar-error">Choose an image to upload.<');
    expect(await storedAvatar(user.id)).toBeUndefined();
  });

  it("keeps the current avatar when a replacement is refused", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await upload(client, await pngImage(), "image/png", "me.png");
    const before = (await storedAvatar(user.id))!;
    expect((await upload(client, decompressionBombPng(), "image/png", "bomb.png")).status).toBe(422);
    expect((await upload(client, Buffer.from("nope"), "image/jpeg", "x.jpg")).status).toBe(422);
    const after = (await storedAvatar(user.id))!;
    expect(after.etag).toBe(before.etag);
    expect(await avatarEvents(user.id)).toHaveLength(1);
  });

  it("with htmx returns only the upload form with the error", async () => {
    const { client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const response = await upload(client, await noisyPngOver2MB(), "image/png", "huge.png", { htmx: true });
    expect(response.status).toBe(422);
    expect(response.text.trimStart().startsWith("<form")).toBe(true);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('id="field-avatar-error">Choose an image up to 2 MB.<');
    expect(response.text).toContain('enctype="multipart/form-data"');
  });
});
