import { AppError } from "../../platform/errors.js";

// sharp (libvips and its shared library, about 10 MB of RSS) is loaded by the
// first avatar upload, not at boot: most web processes never decode an image.
let sharpLoading: Promise<typeof import("sharp")> | undefined;
const loadSharp = async () => (await (sharpLoading ??= import("sharp"))).default;

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
export const AVATAR_SIZE = 256;
// A small file can declare enormous dimensions (a "decompression bomb"); the
// pixel count is checked from the header before anything is decoded.
export const AVATAR_MAX_INPUT_PIXELS = 40_000_000;

export type AvatarSourceFormat = "jpeg" | "png" | "webp" | "gif";

const avatarError = (code: string, message: string) => new AppError(422, code, { field: "avatar", message });
export const unsupportedAvatar = () => avatarError("AVATAR_UNSUPPORTED_TYPE", "profile:avatar.errors.unsupported");
export const avatarTooLarge = () => avatarError("AVATAR_TOO_LARGE", "profile:avatar.errors.tooLarge");
const tooManyPixels = () => avatarError("AVATAR_TOO_MANY_PIXELS", "profile:avatar.errors.tooManyPixels");
const unreadable = () => avatarError("AVATAR_UNREADABLE", "profile:avatar.errors.unreadable");

// The file name and the browser's Content-Type are the uploader's claims; the
// first bytes are the file's. Only these four decoders are ever reached, so
// libvips never parses SVG, TIFF, HEIF or anything else it happens to support.
export function sniffImageFormat(bytes: Buffer): AvatarSourceFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString("latin1"))) return "gif";
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "webp";
  return undefined;
}

// Decodes only the first frame (animated GIF/WebP), refuses truncated or
// corrupt data, and stops at the pixel limit even if the header lied.
const decodeOptions = { failOn: "error", limitInputPixels: AVATAR_MAX_INPUT_PIXELS, pages: 1 } as const;

// Upload bytes -> a 256x256 WebP. Re-encoding drops every piece of metadata
// (EXIF with GPS, ICC, XMP, comments) and any payload hidden after the image.
export async function normalizeAvatar(upload: Buffer): Promise<{ image: Buffer; sourceFormat: AvatarSourceFormat }> {
  const sniffed = sniffImageFormat(upload);
  if (!sniffed) throw unsupportedAvatar();

  const sharp = await loadSharp();
  const metadata = await sharp(upload, { ...decodeOptions, limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw unreadable();
    });
  if (metadata.format !== sniffed) throw unsupportedAvatar();
  const frameHeight = metadata.pageHeight ?? metadata.height ?? 0;
  if (!metadata.width || !frameHeight) throw unreadable();
  if (metadata.width * frameHeight > AVATAR_MAX_INPUT_PIXELS) throw tooManyPixels();

  const image = await sharp(upload, decodeOptions)
    .rotate() // honour the EXIF orientation before the metadata is dropped
    .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: "cover" })
    .webp({ quality: 85 })
    .toBuffer()
    .catch(() => {
      throw unreadable();
    });
  return { image, sourceFormat: sniffed };
}
