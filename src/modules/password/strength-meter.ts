import { createRequire } from "node:module";
import path from "node:path";
import { Router } from "express";
import { isLanguage } from "../../platform/i18n.js";
import { zxcvbnTranslations } from "./strength.js";

// The strength meter's engine for the browser: the same zxcvbn-ts and
// dictionaries the server checks with (strength.ts), served from
// node_modules. public/js/password-strength.js loads them only on a page with
// a new-password field. The meter is a hint; the server decides.
const require = createRequire(import.meta.url);
const bundleOf = (pkg: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "dist/zxcvbn-ts.js");
const BUNDLES: Record<string, string> = {
  core: bundleOf("@zxcvbn-ts/core"),
  common: bundleOf("@zxcvbn-ts/language-common"),
  en: bundleOf("@zxcvbn-ts/language-en"),
};

export const STRENGTH_METER_PATH = "/static/vendor/zxcvbn";

export function strengthMeterRoutes(): Router {
  const router = Router();
  // zxcvbn's feedback texts in one language (the meter asks for the page's).
  router.get(`${STRENGTH_METER_PATH}/translations/:language.json`, (req, res, next) => {
    const language = String(req.params.language);
    if (!isLanguage(language)) return next();
    res.set("Cache-Control", "public, max-age=86400").json(zxcvbnTranslations(language));
  });
  router.get(`${STRENGTH_METER_PATH}/:bundle.js`, (req, res, next) => {
    const file = BUNDLES[String(req.params.bundle)];
    if (!file) return next();
    res.sendFile(file, { maxAge: "1d", headers: { "Content-Type": "text/javascript; charset=utf-8" } });
  });
  return router;
}
