/**
 * Tests of pictures: render an SVG in headless Chromium (scripts/browser-test.mjs
 * `screenshot`) and read the PNG back as RGBA pixels (a small decoder: 8-bit RGB/RGBA,
 * non-interlaced, which is what Chromium writes).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

export interface Image {
  width: number;
  height: number;
  /** RGBA, row-major */
  data: Uint8Array;
}

export function decodePng(buf: Uint8Array): Image {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0) !== 0x89504e47) throw new Error('not a PNG');
  let width = 0, height = 0, colorType = 0;
  const idat: Uint8Array[] = [];
  for (let o = 8; o < buf.length;) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...buf.subarray(o + 4, o + 8));
    const body = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      const depth = body[8];
      colorType = body[9];
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || body[12] !== 0) throw new Error(`PNG: only 8-bit RGB/RGBA non-interlaced (depth ${depth}, colour type ${colorType})`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = v & 255;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[4 * i] = px[i * bpp]; data[4 * i + 1] = px[i * bpp + 1]; data[4 * i + 2] = px[i * bpp + 2];
    data[4 * i + 3] = bpp === 4 ? px[i * bpp + 3] : 255;
  }
  return { width, height, data };
}

/** Renders `svg` (a string) at width × height in headless Chromium; the decoded screenshot. */
export async function renderSvg(svg: string, width: number, height: number, keepAs?: string): Promise<Image> {
  const harness = await import(pathToFileURL(join(process.cwd(), 'scripts/browser-test.mjs')).href) as {
    screenshot(o: { file: string; out: string; width: number; height: number }): Promise<string>;
  };
  const dir = mkdtempSync(join(tmpdir(), 'sg-shot-'));
  try {
    const file = join(dir, 'picture.svg');
    writeFileSync(file, svg);
    const out = keepAs ?? join(dir, 'picture.png');
    await harness.screenshot({ file, out, width, height });
    return decodePng(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const hex = (c: string): [number, number, number] => [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];

/** Pixels within `tol` (per channel) of `colour` in the box [x0, x1) × [y0, y1) (default: all). */
export function pixelsOf(img: Image, colour: string, box = { x0: 0, y0: 0, x1: img.width, y1: img.height }, tol = 40): [number, number][] {
  const [r, g, b] = hex(colour);
  const out: [number, number][] = [];
  for (let y = Math.max(0, box.y0); y < Math.min(img.height, box.y1); y++) {
    for (let x = Math.max(0, box.x0); x < Math.min(img.width, box.x1); x++) {
      const i = 4 * (y * img.width + x);
      if (Math.abs(img.data[i] - r) <= tol && Math.abs(img.data[i + 1] - g) <= tol && Math.abs(img.data[i + 2] - b) <= tol) out.push([x, y]);
    }
  }
  return out;
}
