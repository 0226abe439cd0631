import type { Request } from "express";
import type { WebDeps } from "../../app.js";
import { currentUserOf } from "../../platform/auth/guards.js";
import { presentAccount, presentAvatar } from "./presenter.js";
import { findAvatarEtag } from "./repo.js";
import { contactChannels } from "../contact/channels.js";
import { presentChannel } from "../contact/presenter.js";

export const PROFILE_PAGE = "profile/page";

// The profile page is one page of several sections. Every route that
// re-renders it (after a failed form, without JavaScript) needs the data of
// all sections, so it is loaded in one place: a new section adds its data here.
export async function loadProfilePage(deps: WebDeps, req: Request): Promise<Record<string, unknown>> {
  const { user } = currentUserOf(req);
  const flows = req.session.contactFlows ?? {};
  const now = deps.clock.now().getTime();
  return {
    contactChannels: Object.values(contactChannels).map((channel) => presentChannel(channel, user, flows[channel.id], now)),
    title: "Profile",
    account: presentAccount(user),
    avatar: presentAvatar(user, await findAvatarEtag(deps.db, user.id)),
  };
}
