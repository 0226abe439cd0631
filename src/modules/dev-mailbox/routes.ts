import { Router, type NextFunction, type Request, type Response } from "express";
import { notFound } from "../../platform/errors.js";
import { readOutbox } from "../../platform/mail.js";
import { readSmsOutbox } from "../../platform/sms.js";
import type { WebDeps } from "../../web/deps.js";
import { renderPage } from "../../web/render.js";

// Development only, and only while mail goes to the local outbox: shows what
// would have been sent, reset links and codes included. So it is an instance
// administrator's page: anyone else gets 404, as if it did not exist. Never
// mounted in production.
function instanceAdminOnly(req: Request, _res: Response, next: NextFunction) {
  next(req.currentUser?.user.isInstanceAdmin ? undefined : notFound());
}

export function devMailboxRoutes(deps: WebDeps): Router {
  const router = Router();
  router.get("/dev/mailbox", instanceAdminOnly, (_req, res) => {
    const when = (sentAt: string) => sentAt.replace("T", " ").slice(0, 19);
    const messages = readOutbox(deps.outboxDir).slice(0, 100).map((message) => ({ ...message, sentAt: when(message.sentAt) }));
    const texts = readSmsOutbox(deps.smsOutboxDir).slice(0, 50).map((message) => ({ ...message, sentAt: when(message.sentAt) }));
    renderPage(res, "dev-mailbox/list", { messages, texts });
  });
  return router;
}

// The mailbox exists where mail goes to the local outbox, never in production.
export function mailboxEnabled(deps: Pick<WebDeps, "mailer" | "config">): boolean {
  return deps.mailer.kind === "outbox" && deps.config.env !== "production";
}
