import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { escapeForView, Markup } from "../../src/web/i18n.js";
import { createViewEngine } from "../../src/web/view-engine.js";

const dir = mkdtempSync(path.join(tmpdir(), "latchkey-views-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function render(engine: ReturnType<typeof createViewEngine>, file: string, locals: object): Promise<string> {
  return new Promise((resolve, reject) => engine(file, locals, (error, html) => (error ? reject(error) : resolve(html!))));
}

write("partials/name.ejs", "<b><%= name %></b><% title = 'changed in the partial' %>");
write("partials/extra.ejs", "<i><%= extra %>/<%= name %></i>");
const page = write(
  "pages/page.ejs",
  "<h1><%= title %></h1><%- include('../partials/name') %><%- include('../partials/extra.ejs', { extra: 'given' }) %><p><%= title %></p><%= mark %>",
);

describe.each([true, false])("the view engine (cache %s)", (cache) => {
  const engine = createViewEngine({ cache, escape: escapeForView });

  it("renders includes relative to the including file, escapes <%= %> but Markup, and keeps a partial's assignments in the partial", async () => {
    const html = await render(engine, page, { title: "T<1>", name: "Ada & Bob", mark: new Markup("<em>ok</em>") });
    expect(html).toBe("<h1>T&lt;1&gt;</h1><b>Ada &amp; Bob</b><i>given/Ada &amp; Bob</i><p>T&lt;1&gt;</p><em>ok</em>");
  });

  it("names the missing include, and the file and line of a failing template", async () => {
    const missing = write(`missing-${cache}.ejs`, "<%- include('nowhere') %>");
    await expect(render(engine, missing, {})).rejects.toThrow(/Could not find the include file "nowhere"/);
    const failing = write(`failing-${cache}.ejs`, "line one\n<%= notDefined.x %>");
    await expect(render(engine, failing, {})).rejects.toThrow(new RegExp(`failing-${cache}\\.ejs:2`));
  });

  it("tells a given local from a missing one, for each set of names a page is rendered with, and refuses a name it lacks", async () => {
    const file = write(`optional-${cache}.ejs`, "<%= typeof title !== 'undefined' ? title : 'none' %>|<%- include('partials/extra', { extra: typeof title }) %>");
    write("partials/extra.ejs", "<i><%= extra %>/<%= name %></i>");
    expect(await render(engine, file, { name: "n" })).toBe("none|<i>undefined/n</i>");
    expect(await render(engine, file, { name: "n", title: "Given" })).toBe("Given|<i>string/n</i>");
    expect(await render(engine, file, { name: "n" })).toBe("none|<i>undefined/n</i>");
    await expect(render(engine, file, {})).rejects.toThrow(/name is not defined/);
  });

  it(cache ? "keeps what it compiled" : "reads an edited file again", async () => {
    const file = write(`edited-${cache}.ejs`, "before");
    expect(await render(engine, file, {})).toBe("before");
    write(`edited-${cache}.ejs`, "after");
    expect(await render(engine, file, {})).toBe(cache ? "before" : "after");
  });
});
