import { describeDevice } from "../../platform/user-agent.js";
import type { Membership } from "../../web/context.js";
import type { ActiveSession } from "./service.js";

export function presentSession(session: ActiveSession, memberships: Membership[]) {
  const { browser, device } = describeDevice(session.data.userAgent);
  const workspace = memberships.find((membership) => membership.workspace.id === session.data.workspaceId)?.workspace;
  return {
    handle: session.data.handle,
    browser,
    device,
    ip: session.data.ip ?? "unknown",
    signedInAt: session.data.signedInAt,
    lastActiveAt: session.data.lastSeenAt,
    workspace: workspace?.name ?? null,
    isCurrent: session.isCurrent,
  };
}
