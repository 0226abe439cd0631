import ipaddr from "ipaddr.js";

// An allow-list entry is one address (IPv4 or IPv6) or a CIDR range. Entries
// are normalised when stored, so the list shows what is actually matched:
// "2001:DB8:0::1" is stored as "2001:db8::1", "10.1.2.3/8" as "10.0.0.0/8".
export const MAX_ALLOW_LIST_ENTRIES = 50;

type Parsed = { kind: "ipv4" | "ipv6"; address: ipaddr.IPv4 | ipaddr.IPv6; bits: number };

// Only the plain forms: "127.1" or "0x7f.0.0.1" are valid to ipaddr.js's
// loose parser but would surprise whoever reads the list.
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) return unmapped(ipaddr.IPv6.parse(text));
  return null;
}

// An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is the IPv4 address.
function unmapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

function parseEntry(entry: string): Parsed | null {
  const [addressText, bitsText, extra] = entry.split("/");
  if (extra !== undefined || !addressText) return null;
  const address = parseAddress(addressText);
  if (!address) return null;
  const maxBits = address.kind() === "ipv4" ? 32 : 128;
  if (bitsText === undefined) return { kind: address.kind(), address, bits: maxBits };
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > maxBits) return null;
  return { kind: address.kind(), address, bits };
}

function format(parsed: Parsed): string {
  const maxBits = parsed.kind === "ipv4" ? 32 : 128;
  if (parsed.bits === maxBits) return parsed.address.toString();
  const cidr = `${parsed.address.toString()}/${parsed.bits}`;
  const network = parsed.kind === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${network.toString()}/${parsed.bits}`;
}

export type AllowListResult = { ok: true; entries: string[] } | { ok: false; message: string };

// Validates and normalises a whole list; the first bad entry is named.
export function normaliseAllowList(entries: readonly string[]): AllowListResult {
  const cleaned = entries.map((entry) => entry.trim()).filter((entry) => entry !== "");
  if (cleaned.length > MAX_ALLOW_LIST_ENTRIES) return { ok: false, message: `Use at most ${MAX_ALLOW_LIST_ENTRIES} addresses or ranges.` };
  const normalised: string[] = [];
  for (const entry of cleaned) {
    const parsed = entry.length <= 64 ? parseEntry(entry) : null;
    if (!parsed) return { ok: false, message: `"${entry.slice(0, 64)}" is not an IPv4 or IPv6 address or CIDR range (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32).` };
    const text = format(parsed);
    if (!normalised.includes(text)) normalised.push(text);
  }
  return { ok: true, entries: normalised };
}

// Splits the settings page's textarea: one entry a line, or separated by commas or spaces.
export function splitAllowListText(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry !== "");
}

// The client address as Express resolved it (TRUST_PROXY decides whether
// X-Forwarded-For counts). An empty list allows any address.
export function isAddressAllowed(allowList: readonly string[], clientIp: string | undefined): boolean {
  if (allowList.length === 0) return true;
  if (!clientIp || !ipaddr.isValid(clientIp)) return false;
  const client = unmapped(ipaddr.parse(clientIp));
  return allowList.some((entry) => {
    const parsed = parseEntry(entry);
    return parsed !== null && parsed.kind === client.kind() && client.match(parsed.address, parsed.bits);
  });
}
