import { Router, type Request, type RequestHandler, type Response } from "express";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth, requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { tr } from "../../web/i18n.js";
import { isHtmx, redirectTo, renderFragment, renderPage, rememberForm, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { findUserById, type User } from "../users/index.js";
import { notFound } from "../../platform/errors.js";
import { presentIssued, presentTokenRow, tokenFormOptions } from "./presenter.js";
import { createTokenSchema, formToTokenInput, modifyTokenSchema, tokenIdParams } from "./schema.js";
import { createToken, deleteToken, findToken, listTokens, modifyToken, rollToken, type IssuedToken, type TokenActor } from "./service.js";

export const TOKENS_PATH = "/settings/tokens";

// One set of handlers serves the owner's page (/settings/tokens) and an
// instance administrator's page for any user (/admin/users/:userId/tokens);
// they differ only in whose tokens they show and who may open them.
interface TokenPage {
  // The route pattern, and the concrete path of one request.
  pattern: string;
  base: (req: Request) => string;
  ownerOf: (req: Request) => Promise<User>;
  guards: RequestHandler[];
}

const sessionActor = (req: Request): TokenActor => {
  const { user } = currentUserOf(req);
  return { id: user.id, isInstanceAdmin: user.isInstanceAdmin, tokenScopes: null };
};

function tokenPageRoutes(deps: WebDeps, page: TokenPage): Router {
  const router = Router();
  const at = (suffix = "") => page.pattern + suffix;
  const fresh = requireFreshAuth(deps);

  async function pageData(req: Request, options: { issued?: IssuedToken & { rolled: boolean }; editingId?: string; failed?: "create" | "edit" } = {}) {
    const owner = await page.ownerOf(req);
    const now = deps.clock.now();
    const tokens = await listTokens(deps, sessionActor(req), owner);
    const isSelf = owner.id === currentUserOf(req).user.id;
    return {
      title: isSelf ? tr(req, "tokens:pages.title") : tr(req, "tokens:pages.titleOf", { username: owner.username }),
      base: page.base(req),
      owner: { id: owner.id, username: owner.username, isSelf },
      tokens: tokens.map((token) => presentTokenRow(token, now)),
      ...tokenFormOptions(now),
      issued: options.issued ? presentIssued(options.issued.token, options.issued.secret, options.issued.rolled) : null,
      editingId: options.editingId ?? null,
      failed: options.failed ?? null,
      values: {},
      errors: {},
      formError: null,
    };
  }

  // The secret is in this response only: never stored, never cached, and a
  // reload of the page (a GET) cannot show it again.
  async function showIssued(req: Request, res: Response, issued: IssuedToken, rolled: boolean) {
    res.setHeader("Cache-Control", "no-store");
    const data = await pageData(req, { issued: { ...issued, rolled } });
    // A swapped-in fragment is not seen by app.js's page-load unhiding, but
    // an htmx request proves scripts run: the copy button is shown outright.
    if (isHtmx(req)) return renderFragment(res, "tokens/_tokens", { ...data, scriptsRun: true });
    renderPage(res, "tokens/page", data);
  }

  async function editRow(req: Request, tokenId: string) {
    const owner = await page.ownerOf(req);
    const token = await findToken(deps, sessionActor(req), owner, tokenId);
    return { base: page.base(req), token: presentTokenRow(token, deps.clock.now()), editing: true, ...tokenFormOptions(deps.clock.now()) };
  }

  router.get(at(), ...page.guards, async (req, res) => renderPage(res, "tokens/page", await pageData(req)));

  router.post(at(), ...page.guards, fresh, async (req, res) => {
    rememberForm(res, req, "tokens/page", "tokens/_tokens", () => pageData(req, { failed: "create" }));
    // Checkboxes come as one value or many: a failed form keeps the choice.
    res.locals.form.values.scopes = ([] as unknown[]).concat(req.body?.scopes ?? []).map(String).join(" ").slice(0, 200);
    const input = parseInput(createTokenSchema, formToTokenInput(req.body));
    const issued = await createToken(deps, sessionActor(req), await page.ownerOf(req), input, requestMeta(req));
    await showIssued(req, res, issued, false);
  });

  // Inline editing: the row becomes a form (htmx), or the page opens with
  // that row as a form (no JavaScript).
  router.get(at("/:id/edit"), ...page.guards, async (req, res) => {
    const { id } = parseInput(tokenIdParams, req.params);
    if (isHtmx(req)) return renderFragment(res, "tokens/_row", { ...(await editRow(req, id)), values: {}, errors: {} });
    await findToken(deps, sessionActor(req), await page.ownerOf(req), id);
    const data = await pageData(req, { editingId: id });
    renderPage(res, "tokens/page", { ...data, title: tr(req, "tokens:pages.editTitle", { title: data.title }) });
  });

  router.get(at("/:id"), ...page.guards, async (req, res) => {
    const { id } = parseInput(tokenIdParams, req.params);
    const row = await editRow(req, id);
    renderFragment(res, "tokens/_row", { ...row, editing: false });
  });

  router.post(at("/:id"), ...page.guards, fresh, async (req, res) => {
    const { id } = parseInput(tokenIdParams, req.params);
    res.locals.form = {
      page: "tokens/page",
      fragment: "tokens/_row",
      values: { name: String(req.body?.name ?? "").slice(0, 100), ipAllowList: String(req.body?.ipAllowList ?? "").slice(0, 4000), expiresAt: String(req.body?.expiresAt ?? "").slice(0, 40) },
      data: () => pageData(req, { editingId: id, failed: "edit" }),
      fragmentData: () => editRow(req, id),
    };
    const input = parseInput(modifyTokenSchema, formToTokenInput(req.body));
    const token = await modifyToken(deps, sessionActor(req), await page.ownerOf(req), id, input, requestMeta(req));
    if (isHtmx(req)) return renderFragment(res, "tokens/_row", { base: page.base(req), token: presentTokenRow(token, deps.clock.now()), editing: false });
    setFlash(req, "info", "tokens:pages.saved", { name: token.name });
    redirectTo(req, res, page.base(req));
  });

  // Rolling and deleting cannot be undone: without JavaScript a confirmation
  // page comes first; with htmx the button asks (hx-confirm).
  for (const action of ["roll", "delete"] as const) {
    router.get(at(`/:id/${action}`), ...page.guards, async (req, res) => {
      const { id } = parseInput(tokenIdParams, req.params);
      const token = await findToken(deps, sessionActor(req), await page.ownerOf(req), id);
      renderPage(res, "tokens/confirm", { title: tr(req, action === "roll" ? "tokens:pages.rollTitle" : "tokens:pages.deleteTitle"), base: page.base(req), action, token: presentTokenRow(token, deps.clock.now()) });
    });
  }

  // The POST itself refuses to act without the flag the confirmation page
  // (or the dialog) sends: a forged or first-click POST changes nothing.
  const confirmRoll = requireConfirmation((req) => ({
    title: "tokens:pages.rollQuestion",
    message: "tokens:row.rollMessage",
    confirmLabel: "tokens:row.rollLabel",
    cancelUrl: page.base(req),
  }));
  const confirmDelete = requireConfirmation((req) => ({
    title: "tokens:pages.deleteQuestion",
    message: "tokens:row.deleteMessage",
    confirmLabel: "tokens:row.deleteLabel",
    cancelUrl: page.base(req),
  }));

  router.post(at("/:id/roll"), ...page.guards, fresh, confirmRoll, async (req, res) => {
    const { id } = parseInput(tokenIdParams, req.params);
    const issued = await rollToken(deps, sessionActor(req), await page.ownerOf(req), id, requestMeta(req));
    await showIssued(req, res, issued, true);
  });

  router.post(at("/:id/delete"), ...page.guards, fresh, confirmDelete, async (req, res) => {
    const { id } = parseInput(tokenIdParams, req.params);
    const token = await deleteToken(deps, sessionActor(req), await page.ownerOf(req), id, requestMeta(req));
    setFlash(req, "info", "tokens:pages.deleted", { name: token.name });
    redirectTo(req, res, page.base(req));
  });

  return router;
}

export function tokenRoutes(deps: WebDeps): Router {
  return tokenPageRoutes(deps, { pattern: TOKENS_PATH, base: () => TOKENS_PATH, ownerOf: async (req) => currentUserOf(req).user, guards: [requireUser] });
}

// An instance administrator manages any user's tokens (DESIGN.md: admin
// user management includes tokens). The admin user page links here.
export function adminTokenRoutes(deps: WebDeps): Router {
  const owners = new WeakMap<Request, Promise<User>>();
  const ownerOf = (req: Request) => {
    let owner = owners.get(req);
    if (!owner) {
      owner = (async () => {
        const parsed = tokenIdParams.safeParse({ id: req.params.userId });
        const user = parsed.success ? await findUserById(deps.db, parsed.data.id) : undefined;
        if (!user) throw notFound();
        return user;
      })();
      owners.set(req, owner);
    }
    return owner;
  };
  return tokenPageRoutes(deps, {
    pattern: "/admin/users/:userId/tokens",
    base: (req) => `/admin/users/${req.params.userId}/tokens`,
    ownerOf,
    guards: [requireUser, requireInstanceAdmin],
  });
}
