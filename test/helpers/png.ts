import { inflateSync } from 'node:zlib';

/**
 * A small PNG reader for tests: the size from the IHDR header, and the pixels of 8-bit RGB or RGBA
 * images (what resvg and Chromium write), so a test can check a chart or screenshot is not blank
 * without trusting the library that wrote it.
 */

export interface PngImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  readonly rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk; throws if the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR')
    throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Decodes a non-interlaced 8-bit RGB or RGBA PNG. */
export function decodePng(png: Buffer): PngImage {
  const { width, height } = pngSize(png);
  const bitDepth = png[24]!;
  const colourType = png[25]!;
  const interlace = png[28]!;
  if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0)
    throw new Error(
      `unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`,
    );
  const channels = colourType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const x = line[i]!;
      const predictor =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      cur[i] = (x + predictor) & 0xff;
    }
    for (let px = 0; px < width; px++) {
      out[(y * width + px) * 4] = cur[px * channels]!;
      out[(y * width + px) * 4 + 1] = cur[px * channels + 1]!;
      out[(y * width + px) * 4 + 2] = cur[px * channels + 2]!;
      out[(y * width + px) * 4 + 3] = channels === 4 ? cur[px * channels + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** How many pixels are clearly not white (any channel below 200). */
export function countInkPixels(image: PngImage): number {
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4)
    if (image.rgba[i]! < 200 || image.rgba[i + 1]! < 200 || image.rgba[i + 2]! < 200) n++;
  return n;
}

/** How many pixels are close to an RGB colour (each channel within `tolerance`). */
export function countColourPixels(
  image: PngImage,
  rgb: readonly [number, number, number],
  tolerance = 40,
): number {
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4)
    if (
      Math.abs(image.rgba[i]! - rgb[0]) <= tolerance &&
      Math.abs(image.rgba[i + 1]! - rgb[1]) <= tolerance &&
      Math.abs(image.rgba[i + 2]! - rgb[2]) <= tolerance
    )
      n++;
  return n;
}
