import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ejs from "ejs";
import { Markup } from "./i18n.js";

// Express's view engine for .ejs files: EJS compiles each template, and this
// module runs them. Three costs of EJS's own renderFile are avoided; on the
// signed-in page they were about a third of the request's CPU (bench: the
// page's profile, and rendering with and without them):
// - every include() was resolved on disk (an existsSync per include per
//   render): here a path is resolved once per (file, name);
// - every include copied all locals into a new object: here an include sees
//   its parent's locals through the prototype, and what a partial assigns
//   stays in the partial (as with EJS's copy);
// - templates read their locals through `with (locals)`, which V8 cannot
//   optimise: here each template is compiled for the names its locals have
//   (EJS's destructuredLocals: `var t = locals.t, …`), once per set of names
//   (Express gives the same names on every render of a page; a bounded
//   number of variants is kept per file).
// A name a template reads that its locals lack is an error, as before, and
// `typeof name` still tells whether a local was given.

type Escape = (value: unknown) => string;
type TemplateFunction = (locals: object, escapeFn: Escape, include: (name: string, extra?: object) => Markup) => string;
type Callback = (error: Error | null, html?: string) => void;

export interface ViewEngineOptions {
  // Keep compiled templates and resolved paths (production); else re-read
  // every file on each render, so edited views show at once.
  cache: boolean;
  escape: Escape;
}

// Names that cannot be declared as variables, and EJS's own names in a
// compiled template: a local by such a name is not destructured.
const UNDECLARABLE = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof " +
    "new null return super switch this throw true try typeof var void while with yield let static implements package protected interface private public " +
    "await arguments eval undefined NaN Infinity locals escapeFn include rethrow __output __append __line __lines __filename __locals").split(" "),
);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const declarable = (name: string) => IDENTIFIER.test(name) && !UNDECLARABLE.has(name);

// Variants kept per file; more than this (names built from data, which no
// view does) fall back to compiling on each render.
const MAX_VARIANTS_PER_FILE = 32;

// The names of a render's locals, and a key for them.
interface LocalNames {
  key: string;
  names: string[];
}

export function createViewEngine(options: ViewEngineOptions) {
  const compiled = new Map<string, Map<string, TemplateFunction>>();
  const includePaths = new Map<string, string>();
  const namesByKey = new Map<string, LocalNames>();

  const templateFor = (file: string, locals: LocalNames): TemplateFunction => {
    let variants = options.cache ? compiled.get(file) : undefined;
    let template = variants?.get(locals.key);
    if (!template) {
      // client: the compiled function takes escape and include as arguments
      // (ours) instead of wrapping them itself. compileDebug keeps the file
      // and line of a failing template in the error.
      template = ejs.compile(readFileSync(file, "utf8"), {
        client: true,
        filename: file,
        compileDebug: true,
        _with: false,
        destructuredLocals: locals.names,
      }) as unknown as TemplateFunction;
      if (options.cache) {
        if (!variants) compiled.set(file, (variants = new Map()));
        if (variants.size < MAX_VARIANTS_PER_FILE) variants.set(locals.key, template);
      }
    }
    return template;
  };

  // Remembered by the names' key, so a page's renders share one array.
  const localNames = (key: string, names: () => string[]): LocalNames => {
    let found = namesByKey.get(key);
    if (!found) {
      found = { key, names: names() };
      if (namesByKey.size < MAX_VARIANTS_PER_FILE * 64) namesByKey.set(key, found);
    }
    return found;
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

  // include() gives Markup: a rendered template is our own HTML, printed as
  // it is by `<%= %>` (so no view needs `<%-`, not even for the page body).
  const run = (file: string, locals: object, names: LocalNames): string =>
    templateFor(file, names)(locals, options.escape, (name, extra) => {
      const child = Object.assign(Object.create(locals) as object, extra);
      const extraKeys = extra ? Object.keys(extra) : [];
      const childNames = extraKeys.length ? localNames(`${names.key}\0${extraKeys.join(",")}`, () => [...new Set([...names.names, ...extraKeys.filter(declarable)])]) : names;
      return new Markup(run(includePath(file, name), child, childNames));
    });

  // The signature Express calls a view engine with.
  return (file: string, locals: object, callback: Callback): void => {
    let html: string;
    try {
      const keys = Object.keys(locals);
      html = run(file, locals, localNames(keys.join(","), () => keys.filter(declarable)));
    } catch (error) {
      return callback(error as Error);
    }
    callback(null, html);
  };
}
