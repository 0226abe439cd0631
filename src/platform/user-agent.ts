import { UAParser } from "ua-parser-js";
import { remembered } from "./remember.js";

// "Chrome 131" on "Apple Mac OS 10.15" from a User-Agent header, for session
// lists and security logs; and the family ("Chrome on Linux", no versions:
// a browser update is the same device) for the new-device check of every
// sign-in. Parsing costs about a millisecond on a busy machine and the
// agents are mostly a handful of browsers: each is parsed once (for the
// last 1,000 distinct agents).
const parsed = remembered(1000, parseAgent);

export function describeDevice(userAgent: string | undefined | null): { browser: string; device: string } {
  if (!userAgent) return { browser: "Unknown browser", device: "Unknown device" };
  const { browser, device } = parsed(userAgent);
  return { browser, device };
}

export function userAgentFamily(userAgent: string | undefined | null): string {
  return userAgent ? parsed(userAgent).family : "unknown";
}

function parseAgent(userAgent: string): { browser: string; device: string; family: string } {
  const agent = UAParser(userAgent);
  const browser = [agent.browser.name, agent.browser.major].filter(Boolean).join(" ") || "Unknown browser";
  const os = [agent.os.name, agent.os.version].filter(Boolean).join(" ");
  const hardware = [agent.device.vendor, agent.device.model].filter(Boolean).join(" ");
  const device = [hardware, os].filter(Boolean).join(", ") || (/curl|node|undici/i.test(userAgent) ? "Script or API client" : "Unknown device");
  return { browser, device, family: `${agent.browser.name ?? "unknown"} on ${agent.os.name ?? "unknown"}` };
}
