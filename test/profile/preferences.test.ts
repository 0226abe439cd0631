import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "../../src/modules/users/tables.js";
import { createUser, createWorkspace, newUserOnProfilePage, reloadUser, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await createUser(app.deps, { isInstanceAdmin: true }); // setup is done
});
afterAll(() => app.close());

const ZH = { "accept-language": "zh-CN,zh;q=0.9,en;q=0.8" };

describe("the language of pages", () => {
  it("follows Accept-Language for visitors: zh, zh-CN and zh-Hans get Chinese, others English", async () => {
    const client = new HttpClient(app.baseUrl);
    for (const header of ["zh-CN,zh;q=0.9", "zh", "zh-Hans-CN", "fr;q=1, zh;q=0.5"]) {
      const page = await client.get("/login", { "accept-language": header });
      expect(page.text).toContain('<html lang="zh-CN">');
      expect(page.text).toContain("登录 Latchkey");
      expect(page.text).toContain("忘记密码？");
    }
    const english = await client.get("/login", { "accept-language": "de-DE,de;q=0.9,en;q=0.5" });
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain("Sign in to Latchkey");
    const none = await client.get("/register");
    expect(none.text).toContain("Create your account");
  });

  it("gives the page's scripts their words in its language (a JSON block), and the strength meter zxcvbn's feedback in it", async () => {
    const client = new HttpClient(app.baseUrl);
    const page = await client.get("/register", ZH);
    const block = /<script type="application\/json" id="ui-strings"[^>]*>([^<]*)<\/script>/.exec(page.text);
    const words = JSON.parse(block![1]!);
    expect(words).toMatchObject({ copied: "已复制", strengthMeter: "密码强度", zxcvbnTranslations: "/static/vendor/zxcvbn/translations/zh-CN.json" });
    expect(words.strengthLabels).toEqual(["非常弱", "弱", "一般", "强", "非常强"]);
    const english = JSON.parse(/id="ui-strings"[^>]*>([^<]*)</.exec((await client.get("/register", { "accept-language": "en" })).text)![1]!);
    expect(english.passkeyCancelled).toBe("The passkey request was cancelled or timed out.");

    const translations = await client.get(words.zxcvbnTranslations);
    expect(JSON.parse(translations.text).warnings.common).toBe("这是一个常用密码。");
    expect((await client.get("/static/vendor/zxcvbn/translations/fr.json")).status).toBe(404);
  });

  it("translates field errors from the schemas and error pages", async () => {
    const client = new HttpClient(app.baseUrl);
    await client.get("/login", ZH);
    const failed = await client.post("/login", { login: "", password: "" }, { headers: ZH });
    expect(failed.status).toBe(422);
    expect(failed.text).toContain('id="field-login-error">请输入用户名或邮箱。<');
    expect(failed.text).toContain('id="field-password-error">请输入你的密码。<');
    const wrong = await client.post("/login", { login: "nobody-here", password: "Wrong-password-1" }, { headers: ZH });
    expect(wrong.text).toContain("用户名、邮箱或密码不正确。");
    const missing = await client.get("/no-such-page", ZH);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("该页面不存在。");
    expect(missing.text).toContain("页面不存在");
  });

  it("a saved language wins over Accept-Language, and flashes come in it", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const saved = await client.post("/settings/profile/preferences", { language: "zh-CN", timeZone: "Asia/Shanghai" });
    expect(saved.status).toBe(303);
    expect(await reloadUser(app.deps, user.id)).toMatchObject({ language: "zh-CN", timeZone: "Asia/Shanghai" });

    const page = await client.get("/settings/profile", { "accept-language": "en-US,en;q=0.9" });
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain("语言和时区已保存。");
    expect(page.text).toContain("<title>个人资料");
    expect(page.text).toContain('<h1 class="page-title">个人资料</h1>');
    // The member-since date in Chinese, in the chosen zone.
    expect(page.text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    const security = await client.get("/settings/security", { "accept-language": "en" });
    expect(security.text).toContain("<title>安全");
    expect(security.text).toContain("修改密码");

    // Back to automatic: the browser decides again.
    await client.post("/settings/profile/preferences", { language: "", timeZone: "Asia/Shanghai" });
    expect((await reloadUser(app.deps, user.id)).language).toBeNull();
    const english = await client.get("/settings/profile", { "accept-language": "en" });
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain("Language and time zone");
  });

  it("refuses an unknown language or time zone next to the field, keeping the saved ones", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    const bad = await client.post("/settings/profile/preferences", { language: "tlh", timeZone: "Mars/Olympus_Mons" }, { htmx: true });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="field-language-error">Choose one of the languages offered.<');
    expect(bad.text).toContain('id="field-timeZone-error">Choose a time zone from the list.<');
    expect(await reloadUser(app.deps, user.id)).toMatchObject({ language: null, timeZone: null });
  });
});

describe("the time zone", () => {
  async function signInWith(username: string, password: string, timeZone: string) {
    const client = new HttpClient(app.baseUrl);
    await client.get("/login");
    const response = await client.post("/login", { login: username, password, timeZone });
    expect(response.status).toBe(303);
    return client;
  }

  it("the browser's zone at sign-in becomes the default only while the account has none, and only a real zone", async () => {
    const user = await createUser(app.deps);
    await signInWith(user.username, user.password, "Not/AZone");
    expect((await reloadUser(app.deps, user.id)).timeZone).toBeNull();
    await signInWith(user.username, user.password, "Europe/Berlin");
    expect((await reloadUser(app.deps, user.id)).timeZone).toBe("Europe/Berlin");
    await signInWith(user.username, user.password, "America/New_York");
    expect((await reloadUser(app.deps, user.id)).timeZone).toBe("Europe/Berlin");
  });

  it("the login form carries the hidden field the browser fills", async () => {
    const page = await new HttpClient(app.baseUrl).get("/login");
    expect(page.text).toMatch(/<input type="hidden" name="timeZone" value="" data-browser-time-zone>/);
  });

  it("times on pages are shown in the account's zone", async () => {
    const { user, client } = await newUserOnProfilePage(app.deps, app.baseUrl);
    await app.deps.db.update(users).set({ passwordChangedAt: new Date("2026-01-15T23:30:00Z") }).where(eq(users.id, user.id));
    await client.post("/settings/profile/preferences", { language: "en", timeZone: "Asia/Tokyo" });
    const security = await client.get("/settings/security");
    expect(security.text).toContain('title="Jan 16, 2026, 08:30 GMT+9"');
    await client.post("/settings/profile/preferences", { language: "zh-CN", timeZone: "America/New_York" });
    const zh = await client.get("/settings/security");
    expect(zh.text).toContain('title="2026年1月15日 18:30 EST"');
  });
});

describe("mails", () => {
  it("are written in the recipient's saved language, whatever the requester's browser says", async () => {
    const user = await createUser(app.deps);
    await app.deps.db.update(users).set({ language: "zh-CN" }).where(eq(users.id, user.id));
    const visitor = new HttpClient(app.baseUrl);
    await visitor.get("/forgot-password", { "accept-language": "en" });
    expect((await visitor.post("/forgot-password", { login: user.username }, { headers: { "accept-language": "en" } })).status).toBe(200);
    const mail = await app.mail.waitFor(user.email, /重置你的 Latchkey 密码/);
    expect(mail.text).toContain(`${user.username}，你好`);
    expect(mail.text).toContain("60 分钟内");
    expect(mail.text).toMatch(/\/reset-password\/[\w-]{20,}/);

    // English for an account without a saved language.
    const other = await createUser(app.deps);
    await visitor.post("/forgot-password", { login: other.username }, { headers: ZH });
    const english = await app.mail.waitFor(other.email, /Reset your Latchkey password/);
    expect(english.text).toContain(`Hi ${other.username},`);
  });

  it("an invitation is written in the invitee's saved language when they have an account, else English (never the inviter's)", async () => {
    const owner = await createUser(app.deps);
    await app.deps.db.update(users).set({ language: "zh-CN" }).where(eq(users.id, owner.id));
    const workspace = await createWorkspace(app.deps, owner);
    const client = await signedInClient(app.baseUrl, owner);
    await client.get(`/w/${workspace.slug}/members`);

    const invitee = await createUser(app.deps);
    await app.deps.db.update(users).set({ language: "zh-CN" }).where(eq(users.id, invitee.id));
    await client.post(`/w/${workspace.slug}/members/invitations`, { email: invitee.email, role: "member" });
    const chinese = await app.mail.waitFor(invitee.email, /邀请你加入 Latchkey 上的/);
    expect(chinese.text).toContain(`${owner.username} 邀请你以成员身份加入`);

    // A stranger (no account) gets English, though the inviter reads Chinese.
    const stranger = `stranger-${invitee.username}@example.test`;
    await client.post(`/w/${workspace.slug}/members/invitations`, { email: stranger, role: "admin" });
    const english = await app.mail.waitFor(stranger, /You are invited to/);
    expect(english.text).toContain("as an admin");
  });
});
