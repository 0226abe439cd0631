import { deflateSync, crc32 } from "node:zlib";
import { randomBytes } from "node:crypto";
import sharp from "sharp";

// Test images made on the spot, so every case states what it feeds the app.

export function solid(width: number, height: number, background: string) {
  return sharp({ create: { width, height, channels: 3, background } });
}

export const pngImage = () => solid(300, 200, "#3366ff").png().toBuffer();
export const webpImage = () => solid(120, 120, "#22aa55").webp().toBuffer();

// Left half red, right half blue, stored sideways (EXIF orientation 6 = turn
// 90° clockwise to view) and carrying personal EXIF fields.
export const EXIF_SECRET = "Home at 1 Secret Street";
export async function sidewaysJpegWithExif(): Promise<Buffer> {
  const width = 300;
  const height = 200;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[(y * width + x) * 3 + (x < width / 2 ? 0 : 2)] = 255;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg()
    .withExif({ IFD0: { Copyright: "Secret Owner", ImageDescription: EXIF_SECRET } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

// Three 64x64 frames: red, green, blue.
export async function animatedGif(): Promise<Buffer> {
  const side = 64;
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255]] as const;
  const raw = Buffer.alloc(side * side * 3 * colours.length);
  colours.forEach((colour, frame) => {
    for (let pixel = 0; pixel < side * side; pixel++) raw.set(colour, (frame * side * side + pixel) * 3);
  });
  return sharp(raw, { raw: { width: side, height: side * colours.length, channels: 3, pageHeight: side } }).gif().toBuffer();
}

// Random noise compresses badly: a real PNG of about 3 MB.
export function noisyPngOver2MB(): Promise<Buffer> {
  return sharp(randomBytes(1000 * 1000 * 3), { raw: { width: 1000, height: 1000, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

// A valid 10000x10000 single-colour PNG (100 megapixels) of about 100 KB:
// a decompression bomb. Written by hand because encoding it with sharp takes seconds.
export function decompressionBombPng(side = 10_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const scanlines = Buffer.alloc(side * (side + 1)); // filter byte 0 + black pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(scanlines, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function blob(bytes: Buffer, type: string): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}

export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
}
