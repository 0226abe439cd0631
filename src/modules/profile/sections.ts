import { defineSection } from "../../web/sections.js";
import { preferencesSection } from "./preferences.js";
import { presentAccount, presentAvatar } from "./presenter.js";
import { findAvatarEtag } from "./repo.js";

export const accountFactsSection = defineSection({
  id: "account",
  page: "profile",
  order: 10,
  view: "profile/_account-facts",
  load: ({ user }) => ({ account: presentAccount(user) }),
});

export const avatarSection = defineSection({
  id: "avatar",
  page: "profile",
  order: 20,
  view: "profile/_avatar",
  load: async ({ deps, user }) => ({ avatar: presentAvatar(user, await findAvatarEtag(deps.db, user.id)) }),
});

export const usernameSection = defineSection({
  id: "username",
  page: "profile",
  order: 30,
  view: "profile/_username-form",
  load: ({ user }) => ({ account: presentAccount(user) }),
});

export const profileSections = [accountFactsSection, avatarSection, usernameSection, preferencesSection];
