import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../platform/auth/guards.js";
import { requestMeta } from "../../platform/auth/session-auth.js";
import { isHtmx, redirectTo, rememberForm, renderFragment, setFlash } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { codeField } from "../codes/schema.js";
import { loadProfilePage } from "../profile/page.js";
import { contactChannels, type ContactChannelId } from "./channels.js";
import { presentChannel } from "./presenter.js";
import { cancelFlow, confirmNewValue, sendIdentityCode, sendNewValueCode, startFlow, verifyIdentity, type ContactFlow } from "./service.js";

declare module "express-session" {
  interface SessionData {
    contactFlows: Partial<Record<ContactChannelId, ContactFlow>>;
  }
}

const channelParams = z.object({ channel: z.enum(["email", "phone"]) });
const valueBody = z.object({ value: z.string().max(320).optional() });
const codeBody = z.object({ code: codeField });
const identityBody = z.union([z.object({ password: z.string().min(1, "Enter your password.").max(1024) }), z.object({ code: codeField })]);

export function contactRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);
  const base = "/settings/profile/:channel";

  function context(req: Request) {
    const { channel: id } = parseInput(channelParams, req.params);
    const channel = contactChannels[id];
    const user = currentUserOf(req).user;
    const flows = (req.session.contactFlows ??= {});
    return { id, channel, user, flows, flow: flows[id] };
  }

  // Declares the failing form before any step runs, so a refused code or
  // address re-renders this channel's card (htmx) or the whole profile page.
  function remember(req: Request, res: Response) {
    const { id, channel, user, flow } = context(req);
    const view = presentChannel(channel, user, flow, deps.clock.now().getTime());
    rememberForm(res, req, "profile/page", "contact/_channel", async () => ({ ...(await loadProfilePage(deps, req)), channel: view, failedChannel: id }));
  }

  // After a step: the channel card alone for htmx, else back to the page.
  function respond(req: Request, res: Response) {
    const { channel, user, flow } = context(req);
    if (isHtmx(req)) {
      return renderFragment(res, "contact/_channel", { channel: presentChannel(channel, user, flow, deps.clock.now().getTime()), errors: {}, values: {} });
    }
    redirectTo(req, res, `/settings/profile#contact-${channel.id}`);
  }

  router.post(`${base}/start`, requireUser, fresh, (req, res) => {
    const { id, channel, user, flows } = context(req);
    flows[id] = startFlow(channel, user);
    respond(req, res);
  });

  router.post(`${base}/identity/send`, requireUser, fresh, async (req, res) => {
    remember(req, res);
    const { id, channel, user, flows, flow } = context(req);
    flows[id] = await sendIdentityCode(deps, channel, user, flow);
    respond(req, res);
  });

  router.post(`${base}/identity/verify`, requireUser, fresh, async (req, res) => {
    remember(req, res);
    const { id, channel, user, flows, flow } = context(req);
    flows[id] = await verifyIdentity(deps, channel, user, flow, parseInput(identityBody, req.body));
    respond(req, res);
  });

  router.post(`${base}/send`, requireUser, fresh, async (req, res) => {
    remember(req, res);
    const { id, channel, user, flows, flow } = context(req);
    const { value } = parseInput(valueBody, req.body);
    flows[id] = await sendNewValueCode(deps, channel, user, flow, value);
    respond(req, res);
  });

  router.post(`${base}/confirm`, requireUser, fresh, async (req, res) => {
    remember(req, res);
    const { id, channel, user, flows, flow } = context(req);
    const { code } = parseInput(codeBody, req.body);
    await confirmNewValue(deps, channel, user, flow, code, requestMeta(req));
    delete flows[id];
    setFlash(req, "info", channel.id === "email" ? "Your email address is verified and saved." : "Your phone number is verified and saved.");
    redirectTo(req, res, `/settings/profile#contact-${channel.id}`);
  });

  router.post(`${base}/cancel`, requireUser, async (req, res) => {
    const { id, channel, user, flows } = context(req);
    await cancelFlow(deps, channel, user);
    delete flows[id];
    respond(req, res);
  });

  // The "Resend in 42 s" countdown: htmx reloads this small fragment each second.
  router.get(`${base}/resend`, requireUser, (req, res) => {
    const { channel, user, flow } = context(req);
    const sendLabel = flow?.stage === "identity" ? "Send a new code" : "Resend code";
    renderFragment(res, "contact/_resend", { channel: presentChannel(channel, user, flow, deps.clock.now().getTime()), sendLabel });
  });

  router.get(`${base}`, requireUser, (req, res) => {
    const { channel } = context(req);
    res.redirect(303, `/settings/profile#contact-${channel.id}`);
  });

  return router;
}

