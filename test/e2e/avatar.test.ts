import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { submitSignIn, useBrowserApp } from "../helpers/browser.js";
import { createUser, createWorkspace } from "../helpers/factories.js";
import { pngImage, sidewaysJpegWithExif } from "../profile/images.js";

// The avatar form in a real Chromium, with htmx (multipart via hx-encoding,
// CSRF token in the header and the body) and without JavaScript (a plain
// multipart form post): either way the header shows the new image.
type TestUser = Awaited<ReturnType<typeof createUser>>;

const ctx = useBrowserApp();
beforeAll(async () => {
  await createUser(ctx.app.deps, { isInstanceAdmin: true }); // setup is done
});

async function signedInPage(options: { javaScriptEnabled: boolean }): Promise<{ page: Page; user: TestUser }> {
  const user = await createUser(ctx.app.deps);
  const workspace = await createWorkspace(ctx.app.deps, user);
  const page = await ctx.browser.newPage(ctx.app.baseUrl, options);
  await page.goto("/login");
  await submitSignIn(page, user.username, user.password);
  await page.waitForURL(`**/w/${workspace.slug}`);
  return { page, user };
}

async function expectHeaderAvatar(page: Page, user: TestUser) {
  const avatar = page.getByTestId("header-avatar");
  await avatar.waitFor();
  // Decorative: the account menu button next to it carries the username.
  expect(await avatar.getAttribute("alt")).toBe("");
  expect(await avatar.getAttribute("src")).toMatch(new RegExp(`^/avatars/${user.id}\\?v=[0-9a-f]{16}$`));
  // The image really loads (CSP, cookies, content type): its intrinsic size is 256 px.
  await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(256);
  expect(await page.getByTestId("header-initials").count()).toBe(0);
}

describe("uploading an avatar through the profile form", () => {
  it("with JavaScript: htmx posts the file and the header shows the image", async () => {
    const { page, user } = await signedInPage({ javaScriptEnabled: true });
    await page.goto("/settings/profile");
    expect(await page.getByTestId("header-initials").textContent()).toBe(user.username.slice(0, 2).toUpperCase());

    await page.getByLabel("Upload a new avatar").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: await pngImage() });
    const posted = page.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/settings/profile/avatar");
    await page.getByRole("button", { name: "Upload avatar" }).click();
    const response = await posted;
    expect(response.status()).toBe(204);
    expect(response.request().headers()["hx-request"]).toBe("true");

    await page.getByText("Your avatar was updated.").waitFor();
    await expectHeaderAvatar(page, user);
    await expect.poll(() => page.getByTestId("profile-avatar").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
  });

  it("with JavaScript: a refused file shows the message next to the field, in place", async () => {
    const { page } = await signedInPage({ javaScriptEnabled: true });
    await page.goto("/settings/profile");
    ctx.browser.expectFailure({ method: "POST", path: "/settings/profile/avatar", status: 422 });
    await page.getByLabel("Upload a new avatar").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image") });
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await expect.poll(() => page.locator("#field-avatar-error").textContent().catch(() => null)).toBe("Choose a JPEG, PNG, WebP or GIF image.");
    expect(await page.getByTestId("header-avatar").count()).toBe(0);
    // The swapped-in form still works.
    await page.getByLabel("Upload a new avatar").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: await pngImage() });
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await page.getByTestId("header-avatar").waitFor();
  });

  it("without JavaScript: the plain multipart form uploads, and Remove brings the initials back", async () => {
    const { page, user } = await signedInPage({ javaScriptEnabled: false });
    await page.goto("/settings/profile");
    await page.getByLabel("Upload a new avatar").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: await sidewaysJpegWithExif() });
    await Promise.all([page.waitForURL("**/settings/profile"), page.getByRole("button", { name: "Upload avatar" }).click()]);
    await page.getByText("Your avatar was updated.").waitFor();
    await expectHeaderAvatar(page, user);

    await page.getByRole("button", { name: "Remove avatar" }).click();
    await page.getByText("Your avatar was removed.").waitFor();
    expect(await page.getByTestId("header-avatar").count()).toBe(0);
    expect(await page.getByTestId("header-initials").textContent()).toBe(user.username.slice(0, 2).toUpperCase());
  });
});
