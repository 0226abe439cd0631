import { UAParser } from "ua-parser-js";

// "Chrome 131" on "Apple Mac OS 10.15" from a User-Agent header, for session
// lists and security logs.
// Parsing costs about a millisecond on a busy machine and an activity page
// shows 50 rows, mostly from a handful of browsers: answers are remembered
// for the last 1,000 distinct user agents (the map is simply emptied when full).
const remembered = new Map<string, { browser: string; device: string }>();
const REMEMBER = 1000;

export function describeDevice(userAgent: string | undefined | null): { browser: string; device: string } {
  if (!userAgent) return { browser: "Unknown browser", device: "Unknown device" };
  const known = remembered.get(userAgent);
  if (known) return known;
  if (remembered.size >= REMEMBER) remembered.clear();
  const described = parseDevice(userAgent);
  remembered.set(userAgent, described);
  return described;
}

function parseDevice(userAgent: string): { browser: string; device: string } {
  const parsed = UAParser(userAgent);
  const browser = [parsed.browser.name, parsed.browser.major].filter(Boolean).join(" ") || "Unknown browser";
  const os = [parsed.os.name, parsed.os.version].filter(Boolean).join(" ");
  const hardware = [parsed.device.vendor, parsed.device.model].filter(Boolean).join(" ");
  const device = [hardware, os].filter(Boolean).join(", ") || (/curl|node|undici/i.test(userAgent) ? "Script or API client" : "Unknown device");
  return { browser, device };
}
