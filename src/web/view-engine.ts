import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ejs from "ejs";

// Express's view engine for .ejs files: EJS compiles each template, and this
// module runs them. EJS's own renderFile resolved every include() on disk
// (an existsSync per include per render) and copied every local into a new
// object for each include; on the signed-in page that was about a tenth of
// the request's CPU (bench: the page's profile). Here both are done once:
// a template is compiled once per file (when `cache`, i.e. Express's
// "view cache"), an include's path is resolved once per (file, name), and an
// include sees its parent's locals through its prototype, so nothing is
// copied and what a partial assigns stays in the partial (as with EJS's copy).

type Escape = (value: unknown) => string;
type TemplateFunction = (locals: object, escapeFn: Escape, include: (name: string, extra?: object) => string) => string;
type Callback = (error: Error | null, html?: string) => void;

export interface ViewEngineOptions {
  // Keep compiled templates and resolved paths (production); else re-read
  // every file on each render, so edited views show at once.
  cache: boolean;
  escape: Escape;
}

export function createViewEngine(options: ViewEngineOptions) {
  const compiled = new Map<string, TemplateFunction>();
  const includePaths = new Map<string, string>();

  const templateFor = (file: string): TemplateFunction => {
    let template = options.cache ? compiled.get(file) : undefined;
    if (!template) {
      // client: the compiled function takes escape and include as arguments
      // (ours) instead of wrapping them itself. compileDebug keeps the file
      // and line of a failing template in the error.
      template = ejs.compile(readFileSync(file, "utf8"), { client: true, filename: file, compileDebug: true }) as unknown as TemplateFunction;
      if (options.cache) compiled.set(file, template);
    }
    return template;
  };

  // As EJS: relative to the including file, ".ejs" added when there is no extension.
  const includePath = (from: string, name: string): string => {
    const key = `${from}\0${name}`;
    let resolved = options.cache ? includePaths.get(key) : undefined;
    if (!resolved) {
      resolved = path.resolve(path.dirname(from), path.extname(name) ? name : `${name}.ejs`);
      if (!existsSync(resolved)) throw new Error(`Could not find the include file "${name}" (from ${from})`);
      if (options.cache) includePaths.set(key, resolved);
    }
    return resolved;
  };

  const run = (file: string, locals: object): string =>
    templateFor(file)(locals, options.escape, (name, extra) => {
      const child = Object.create(locals) as object;
      return run(includePath(file, name), extra ? Object.assign(child, extra) : child);
    });

  // The signature Express calls a view engine with.
  return (file: string, locals: object, callback: Callback): void => {
    let html: string;
    try {
      html = run(file, locals);
    } catch (error) {
      return callback(error as Error);
    }
    callback(null, html);
  };
}
