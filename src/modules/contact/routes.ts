import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { AppError } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../web/guards.js";
import { isHtmx, redirectTo, renderFragment, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { parseInput } from "../../web/validate.js";
import { codeField } from "../codes/index.js";
import { contactChannels } from "./channels.js";
import { presentChannel } from "./presenter.js";
import { cancelFlow, confirmNewValue, sendIdentityCode, sendNewValueCode, startFlow, verifyIdentity, type ContactFlow } from "./service.js";
import { contactFlows } from "./slots.js";

const channelParams = z.object({ channel: z.enum(["email", "phone"]) });
const valueBody = z.object({ value: z.string().max(320).optional() });
const codeBody = z.object({ code: codeField });
const identityBody = z.union([z.object({ password: z.string().min(1, "contact:errors.passwordRequired").max(1024) }), z.object({ code: codeField })]);

export function contactRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);
  const base = "/settings/profile/:channel";

  function context(req: Request) {
    const { channel: id } = parseInput(channelParams, req.params);
    const flows = contactFlows.get(req) ?? {};
    contactFlows.set(req, flows);
    return { id, channel: contactChannels[id], user: currentUserOf(req).user, flows, flow: flows[id] };
  }
  type Context = ReturnType<typeof context>;

  // Declares the failing form before the step runs, so a refused code or
  // address re-renders this channel's card (htmx) or the whole profile page.
  // The card is presented when the step failed, from the flow as the step left it.
  function remember(req: Request, res: Response, { id, channel, user, flows }: Context) {
    const view = () => presentChannel(channel, user, flows[id], deps.clock.now().getTime());
    rememberSectionForm(deps, req, res, { page: "profile", section: "contact", fragment: "contact/_channel", extra: () => ({ channel: view(), failedChannel: id }) });
  }

  // A code asked for within 60 s of the last one is refused (429); the card
  // then counts down to when one may be sent instead of coming back silent.
  function rememberResendWait(ctx: Context, error: unknown) {
    if (!(error instanceof AppError) || error.code !== "CODE_RESEND_TOO_SOON") return;
    const seconds = Number(error.details?.retryAfterSeconds ?? 0);
    if (seconds > 0) ctx.flows[ctx.id] = { ...(ctx.flow ?? startFlow(ctx.channel, ctx.user)), resendAtMs: deps.clock.now().getTime() + seconds * 1000 };
  }

  // After a step: the channel card alone for htmx, else back to the page.
  function respond(req: Request, res: Response, { id, channel, user, flows }: Context) {
    if (!isHtmx(req)) return redirectTo(req, res, `/settings/profile#contact-${channel.id}`);
    renderFragment(res, "contact/_channel", { channel: presentChannel(channel, user, flows[id], deps.clock.now().getTime()), errors: {}, values: {} });
  }

  // One step of the flow: run it, keep its new state in the session, answer with the card.
  const step = (run: (ctx: Context, req: Request) => ContactFlow | Promise<ContactFlow>) => async (req: Request, res: Response) => {
    const ctx = context(req);
    remember(req, res, ctx);
    try {
      ctx.flows[ctx.id] = await run(ctx, req);
    } catch (error) {
      rememberResendWait(ctx, error);
      throw error;
    }
    respond(req, res, ctx);
  };

  router.post(`${base}/start`, requireUser, fresh, step(({ channel, user }) => startFlow(channel, user)));
  router.post(`${base}/identity/send`, requireUser, fresh, step(({ channel, user, flow }) => sendIdentityCode(deps, channel, user, flow)));
  router.post(
    `${base}/identity/verify`,
    requireUser,
    fresh,
    step(({ channel, user, flow }, req) => verifyIdentity(deps, channel, user, flow, parseInput(identityBody, req.body))),
  );
  router.post(
    `${base}/send`,
    requireUser,
    fresh,
    step(({ channel, user, flow }, req) => sendNewValueCode(deps, channel, user, flow, parseInput(valueBody, req.body).value)),
  );

  router.post(`${base}/confirm`, requireUser, fresh, async (req, res) => {
    const ctx = context(req);
    remember(req, res, ctx);
    const { id, channel, user, flows, flow } = ctx;
    const { code } = parseInput(codeBody, req.body);
    await confirmNewValue(deps, channel, user, flow, code, requestMeta(req));
    delete flows[id];
    setFlash(req, "info", channel.id === "email" ? "contact:saved.email" : "contact:saved.phone");
    redirectTo(req, res, `/settings/profile#contact-${channel.id}`);
  });

  router.post(`${base}/cancel`, requireUser, async (req, res) => {
    const ctx = context(req);
    await cancelFlow(deps, ctx.channel, ctx.user);
    delete ctx.flows[ctx.id];
    respond(req, res, ctx);
  });

  // The "Resend in 42 s" countdown: htmx reloads this small fragment each second.
  router.get(`${base}/resend`, requireUser, (req, res) => {
    const { channel, user, flow } = context(req);
    const view = presentChannel(channel, user, flow, deps.clock.now().getTime());
    const firstSend = view.stage === "new" || (view.stage === "identity" && !view.identityCodeSent);
    const sendLabel = view.stage === "new" ? "Send code" : firstSend ? "Send code" : view.stage === "identity" ? "Send a new code" : "Resend code";
    renderFragment(res, "contact/_resend", { channel: view, sendLabel, primary: view.stage === "new" });
  });

  router.get(`${base}`, requireUser, (req, res) => {
    const { channel } = context(req);
    res.redirect(303, `/settings/profile#contact-${channel.id}`);
  });

  return router;
}

