import { defineSection } from "../../web/sections.js";
import { presentSecurityEvent } from "./presenter.js";
import { listSubjectEvents } from "./repo.js";

// The security page's log of what happened to this account.
export const securityLogSection = defineSection({
  id: "security-log",
  page: "security",
  order: 40,
  view: "audit/_security-log",
  async load({ deps, user }) {
    const events = await listSubjectEvents(deps.db, user.id);
    return { securityLog: events.map((event) => presentSecurityEvent(event, user.id)) };
  },
});
