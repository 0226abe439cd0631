import { Router, type Request } from "express";
import { requestMeta } from "../../web/context.js";
import { tr } from "../../web/i18n.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireFreshAuth, requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { presentAdminProviders } from "./presenter.js";
import { newProviderBody, providerSlugParams, providerUpdateBody } from "./schema.js";
import { changeProvider, createProvider, listProviders } from "./service.js";

const PAGE = "/admin/providers";

// Instance administrators configure the sign-in providers; every change
// needs a fresh authentication and is recorded.
export function providerAdminRoutes(deps: WebDeps): Router {
  const router = Router();
  const guard = [requireUser, requireInstanceAdmin];
  const sensitive = [...guard, requireFreshAuth(deps)];

  const pageData = async (editingSlug: string | null) => ({
    title: "identities:admin.title",
    providers: presentAdminProviders(deps.config.baseUrl, await listProviders(deps)),
    editingSlug,
  });
  // A failed form comes back on the whole page, with its errors in its card.
  const remember = (req: Request, res: Parameters<typeof rememberForm>[0], editingSlug: string) =>
    rememberForm(res, req, "identities/admin", "identities/admin", () => pageData(editingSlug));

  router.get(PAGE, ...guard, async (_req, res) => {
    renderPage(res, "identities/admin", { ...(await pageData(null)), values: {}, errors: {}, formError: null });
  });

  router.post(PAGE, ...sensitive, async (req, res) => {
    remember(req, res, "__new");
    const input = parseInput(newProviderBody, req.body);
    const created = await createProvider(deps, currentUserOf(req).user, input, requestMeta(req));
    setFlash(req, "info", tr(req, "identities:flash.providerAdded", { provider: created.name }));
    redirectTo(req, res, `${PAGE}#provider-${created.slug}`);
  });

  router.post(`${PAGE}/:slug`, ...sensitive, async (req, res) => {
    const { slug } = parseInput(providerSlugParams, req.params);
    remember(req, res, slug);
    const input = parseInput(providerUpdateBody, req.body);
    const updated = await changeProvider(deps, currentUserOf(req).user, slug, input, requestMeta(req));
    setFlash(req, "info", tr(req, "identities:flash.providerSaved", { provider: updated.name }));
    redirectTo(req, res, `${PAGE}#provider-${updated.slug}`);
  });

  return router;
}
