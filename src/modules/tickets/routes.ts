import type { Request, Router } from "express";
import type { WebDeps } from "../../web/deps.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { authFacts } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl, type WorkspaceScope } from "../../web/workspace-scope.js";
import { presentMembership } from "../workspaces/index.js";
import { ticketPolicy } from "./policy.js";
import { presentReply, presentTicket } from "./presenter.js";
import { openTicketSchema, replySchema, ticketParams } from "./schema.js";
import * as service from "./service.js";

// /w/:slug/tickets on the workspace router (req.scope is this workspace).
export function ticketRoutes(deps: WebDeps, router: Router): void {
  const blank = { values: {}, errors: {}, formError: null };

  async function listPage(req: Request, scope: WorkspaceScope) {
    const rows = await service.listTickets(deps, scope);
    return {
      title: "tickets:title",
      workspace: presentMembership(scope.membership, authFacts(req).workspaceId),
      tickets: rows.map((row) => presentTicket(row, scopeUrl(scope, "/tickets"))),
      seesAll: ticketPolicy.seesAll(service.viewerOf(scope)),
    };
  }

  async function ticketPage(req: Request, scope: WorkspaceScope, ticketId: string) {
    const row = await service.showTicket(deps, scope, ticketId);
    const viewer = service.viewerOf(scope);
    return {
      title: row.ticket.subject,
      workspace: presentMembership(scope.membership, authFacts(req).workspaceId),
      ticket: presentTicket(row, scopeUrl(scope, "/tickets")),
      replies: row.replies.map(presentReply),
      can: { reply: ticketPolicy.canReply(viewer, row.ticket), close: ticketPolicy.canClose(viewer, row.ticket) },
    };
  }

  router.get("/tickets", async (req, res) => {
    renderPage(res, "tickets/list", { ...blank, ...(await listPage(req, scopeOf(req))) });
  });

  router.post("/tickets", async (req, res) => {
    const scope = scopeOf(req);
    rememberForm(res, req, "tickets/list", "tickets/_open-form", () => listPage(req, scope));
    const input = parseInput(openTicketSchema, req.body);
    const ticket = await service.openTicket(deps, scope, input);
    setFlash(req, "info", "tickets:flash.opened");
    redirectTo(req, res, scopeUrl(scope, `/tickets/${ticket.id}`));
  });

  router.get("/tickets/:ticketId", async (req, res) => {
    const { ticketId } = parseInput(ticketParams, req.params);
    renderPage(res, "tickets/show", { ...blank, ...(await ticketPage(req, scopeOf(req), ticketId)) });
  });

  router.post("/tickets/:ticketId/replies", async (req, res) => {
    const scope = scopeOf(req);
    const { ticketId } = parseInput(ticketParams, req.params);
    rememberForm(res, req, "tickets/show", "tickets/_reply-form", () => ticketPage(req, scope, ticketId));
    const input = parseInput(replySchema, req.body);
    await service.replyToTicket(deps, scope, ticketId, input);
    redirectTo(req, res, scopeUrl(scope, `/tickets/${ticketId}`));
  });

  router.post("/tickets/:ticketId/close", async (req, res) => {
    const scope = scopeOf(req);
    const { ticketId } = parseInput(ticketParams, req.params);
    await service.closeTicket(deps, scope, ticketId);
    setFlash(req, "info", "tickets:flash.closed");
    redirectTo(req, res, scopeUrl(scope, `/tickets/${ticketId}`));
  });
}
