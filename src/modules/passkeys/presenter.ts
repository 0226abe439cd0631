import type { RelyingParty } from "./ceremony.js";
import type { Passkey } from "./tables.js";

// Authenticators announce their model by AAGUID; these are common ones (the
// FIDO metadata service has the full list). Unknown ones show no model.
const KNOWN_AUTHENTICATORS: Record<string, string> = {
  "fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "iCloud Keychain",
  "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
  "adce0002-35bc-c60a-648b-0b25f1f05503": "Chrome on Mac",
  "08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
  "9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
  "6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
  "bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
  "d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",
  "531126d6-e717-415c-9320-3d9aa6981239": "Dashlane",
  "cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5 Series",
  "ee882879-721c-4913-9775-3dfcce97072a": "YubiKey 5 Series",
  "fa2b99dc-9e39-4257-8f92-4a30d23c4118": "YubiKey 5 Series with NFC",
};

export function presentPasskey(passkey: Passkey) {
  return {
    id: passkey.id,
    name: passkey.name,
    authenticator: passkey.aaguid ? (KNOWN_AUTHENTICATORS[passkey.aaguid] ?? null) : null,
    synced: passkey.backedUp,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
  };
}

export function presentPasskeySection(rp: RelyingParty, passkeys: Passkey[]) {
  return {
    available: rp.trusted,
    // The view says why, naming the origin.
    unavailableReason: rp.trusted ? null : rp.origin,
    items: passkeys.map(presentPasskey),
  };
}
