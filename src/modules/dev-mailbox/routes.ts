import { Router } from "express";
import type { WebDeps } from "../../app.js";
import { readOutbox } from "../../platform/mail.js";
import { readSmsOutbox } from "../../platform/sms.js";
import { renderPage } from "../../platform/http/render.js";

// Development only, and only while mail goes to the local outbox: shows what
// would have been sent. Never mounted in production.
export function devMailboxRoutes(deps: WebDeps): Router {
  const router = Router();
  router.get("/dev/mailbox", (_req, res) => {
    const messages = readOutbox(deps.outboxDir)
      .slice(0, 100)
      .map((message) => ({ ...message, sentAt: message.sentAt.replace("T", " ").slice(0, 19) }));
    const texts = readSmsOutbox(deps.smsOutboxDir)
      .slice(0, 50)
      .map((message) => ({ ...message, sentAt: message.sentAt.replace("T", " ").slice(0, 19) }));
    renderPage(res, "dev-mailbox/list", { messages, texts });
  });
  return router;
}
