import { UAParser } from "ua-parser-js";

// "Chrome 131" on "Apple Mac OS 10.15" from a User-Agent header, for session
// lists and security logs.
export function describeDevice(userAgent: string | undefined | null): { browser: string; device: string } {
  if (!userAgent) return { browser: "Unknown browser", device: "Unknown device" };
  const parsed = UAParser(userAgent);
  const browser = [parsed.browser.name, parsed.browser.major].filter(Boolean).join(" ") || "Unknown browser";
  const os = [parsed.os.name, parsed.os.version].filter(Boolean).join(" ");
  const hardware = [parsed.device.vendor, parsed.device.model].filter(Boolean).join(" ");
  const device = [hardware, os].filter(Boolean).join(", ") || (/curl|node|undici/i.test(userAgent) ? "Script or API client" : "Unknown device");
  return { browser, device };
}
