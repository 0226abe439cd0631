import { defineSection } from "../../web/sections.js";
import { presentSecurityEvent } from "./presenter.js";
import { optionalNoticesMuted } from "./preferences.js";
import { listSubjectEvents } from "./repo.js";

// The security page's log of what happened to this account.
export const securityLogSection = defineSection({
  id: "security-log",
  page: "security",
  order: 40,
  view: "audit/_security-log",
  async load({ deps, user }) {
    const events = await listSubjectEvents(deps.db, user.id);
    return { securityLog: events.map((event) => presentSecurityEvent(event, user.id, deps.geo)) };
  },
});

// The choice to mute optional notices (new device, token created).
export const noticePreferencesSection = defineSection({
  id: "notice-preferences",
  page: "security",
  order: 45,
  view: "audit/_notice-preferences",
  async load({ deps, user }) {
    return { noticePrefs: { muteOptional: await optionalNoticesMuted(deps.db, user.id), saved: false } };
  },
});
