import { defineSection } from "../../web/sections.js";
import { presentSession } from "./presenter.js";
import { listActiveSessions } from "./service.js";

export const activeSessionsSection = defineSection({
  id: "sessions",
  page: "security",
  order: 30,
  view: "sessions/_active-sessions",
  async load({ deps, req, current }) {
    const sessions = await listActiveSessions(deps, current.user.id, req.sessionID);
    return { sessions: sessions.map((session) => presentSession(session, current.memberships)) };
  },
});
