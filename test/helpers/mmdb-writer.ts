// A small writer of the MaxMind DB format (https://maxmind.github.io/MaxMind-DB/),
// enough to build a GeoLite-style test database: an IPv6 tree (IPv4 networks
// under ::/96, where readers look them up), 24-bit records, and records made
// of maps, strings and unsigned integers. No maintained writer is published
// on npm; MaxMind's own are for Go and Perl.

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

type Record_ = { kind: "empty" } | { kind: "node"; index: number } | { kind: "data"; offset: number };

function controlBytes(type: number, size: number): Buffer {
  const sizeBytes: number[] = [];
  let sizeBits: number;
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    sizeBytes.push(size - 29);
  } else if (size < 65_821) {
    sizeBits = 30;
    const rest = size - 285;
    sizeBytes.push(rest >> 8, rest & 0xff);
  } else {
    sizeBits = 31;
    const rest = size - 65_821;
    sizeBytes.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff);
  }
  // Types above 7 are "extended": type 0 in the control byte, then type - 7.
  const head = type <= 7 ? [(type << 5) | sizeBits] : [sizeBits, type - 7];
  return Buffer.from([...head, ...sizeBytes]);
}

function unsigned(type: number, value: number | bigint): Buffer {
  let n = BigInt(value);
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Buffer.concat([controlBytes(type, bytes.length), Buffer.from(bytes)]);
}

export function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([controlBytes(2, bytes.length), bytes]);
  }
  if (typeof value === "boolean") return controlBytes(14, value ? 1 : 0);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw new Error("only unsigned integers are supported");
    return value <= 0xffffffff ? unsigned(6, value) : unsigned(9, value);
  }
  if (Array.isArray(value)) return Buffer.concat([controlBytes(11, value.length), ...value.map(encodeValue)]);
  const entries = Object.entries(value);
  return Buffer.concat([controlBytes(7, entries.length), ...entries.flatMap(([key, item]) => [encodeValue(key), encodeValue(item)])]);
}

// 128 bits of an IPv4 (mapped under ::/96) or IPv6 network, most significant first.
function networkBits(cidr: string): boolean[] {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  let bits: boolean[];
  if (address!.includes(".")) {
    const octets = address!.split(".").map(Number);
    bits = [...Array<boolean>(96).fill(false), ...octets.flatMap((octet) => Array.from({ length: 8 }, (_, i) => ((octet >> (7 - i)) & 1) === 1))];
    return bits.slice(0, 96 + prefix);
  }
  const [head, tail] = address!.split("::");
  const groups = (text: string | undefined) => (text ? text.split(":").map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  bits = all.flatMap((group) => Array.from({ length: 16 }, (_, i) => ((group >> (15 - i)) & 1) === 1));
  return bits.slice(0, prefix);
}

export function writeMmdb(networks: Array<{ network: string; data: MmdbValue }>, databaseType = "GeoLite2-City"): Buffer {
  const nodes: Array<[Record_, Record_]> = [[{ kind: "empty" }, { kind: "empty" }]];
  const chunks: Buffer[] = [];
  let dataLength = 0;
  for (const { network, data } of networks) {
    const encoded = encodeValue(data);
    const offset = dataLength;
    chunks.push(encoded);
    dataLength += encoded.length;
    const bits = networkBits(network);
    let node = 0;
    bits.forEach((bit, depth) => {
      const side = bit ? 1 : 0;
      if (depth === bits.length - 1) {
        nodes[node]![side] = { kind: "data", offset };
        return;
      }
      const next = nodes[node]![side];
      if (next.kind === "node") node = next.index;
      else {
        nodes.push([{ kind: "empty" }, { kind: "empty" }]);
        nodes[node]![side] = { kind: "node", index: nodes.length - 1 };
        node = nodes.length - 1;
      }
    });
  }
  const nodeCount = nodes.length;
  const recordValue = (record: Record_) => (record.kind === "node" ? record.index : record.kind === "empty" ? nodeCount : nodeCount + 16 + record.offset);
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(recordValue(left), i * 6, 3);
    tree.writeUIntBE(recordValue(right), i * 6 + 3, 3);
  });
  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: "Latchkey test database" },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...chunks, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from("MaxMind.com", "ascii"), metadata]);
}

// The database the GeoIP tests use: a city, a country-only network, and a
// private range that must never be looked up.
export function testGeoDatabase(): Buffer {
  const city = (name: string, country: string, iso: string) => ({ city: { names: { en: name } }, country: { iso_code: iso, names: { en: country } } });
  return writeMmdb([
    { network: "203.0.113.0/24", data: city("Berlin", "Germany", "DE") },
    { network: "198.51.100.0/24", data: { country: { iso_code: "FR", names: { en: "France" } } } },
    { network: "2001:db8::/32", data: city("Tokyo", "Japan", "JP") },
    { network: "10.0.0.0/8", data: city("Nowhere", "Private", "XX") },
  ]);
}
