import { UAParser } from "ua-parser-js";
import type { WorkspaceMembership } from "../workspaces/repo.js";
import type { ActiveSession } from "./service.js";

export function describeDevice(userAgent: string | undefined): { browser: string; device: string } {
  if (!userAgent) return { browser: "Unknown browser", device: "Unknown device" };
  const parsed = UAParser(userAgent);
  const browser = [parsed.browser.name, parsed.browser.major].filter(Boolean).join(" ") || "Unknown browser";
  const os = [parsed.os.name, parsed.os.version].filter(Boolean).join(" ");
  const hardware = [parsed.device.vendor, parsed.device.model].filter(Boolean).join(" ");
  const device = [hardware, os].filter(Boolean).join(", ") || (/curl|node|undici/i.test(userAgent) ? "Script or API client" : "Unknown device");
  return { browser, device };
}

function formatTime(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—";
}

export function presentSession(session: ActiveSession, memberships: WorkspaceMembership[]) {
  const { browser, device } = describeDevice(session.data.userAgent);
  const workspace = memberships.find((membership) => membership.workspace.id === session.data.workspaceId)?.workspace;
  return {
    handle: session.data.handle,
    browser,
    device,
    ip: session.data.ip ?? "unknown",
    signedInAt: formatTime(session.data.signedInAt),
    lastActiveAt: formatTime(session.data.lastSeenAt),
    workspace: workspace?.name ?? "No workspace",
    isCurrent: session.isCurrent,
  };
}
