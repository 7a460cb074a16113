// Draws bureau's icons (public/icon-*.png) from the same shapes as
// public/icon.svg, with nothing but Node: a window of four panes, one lit.
// Run `node scripts/icons.mjs` after changing the design; the PNGs are
// committed so that the build needs no image tool.

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const ACCENT = [79, 70, 229];
const PANE = [255, 255, 255];
const LIT = [255, 209, 102];

/** Shapes on a 32×32 canvas, like icon.svg: [x, y, w, h, radius, colour]. */
function shapes(maskable) {
  const background = maskable ? [0, 0, 32, 32, 0, ACCENT] : [0, 0, 32, 32, 8, ACCENT];
  // A maskable icon keeps its content within the central 80 % circle.
  const scale = maskable ? 0.72 : 1;
  const offset = 16 - 16 * scale;
  const pane = (x, y, colour) => [offset + x * scale, offset + y * scale, 7 * scale, 7 * scale, 1.5 * scale, colour];
  return [background, pane(8, 8, PANE), pane(17, 8, PANE), pane(8, 17, PANE), pane(17, 17, LIT)];
}

function inside([x, y, w, h, r], px, py) {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

function draw(size, maskable) {
  const list = shapes(maskable);
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const px = ((x + (sx + 0.5) / samples) / size) * 32;
          const py = ((y + (sy + 0.5) / samples) / size) * 32;
          let colour = null;
          for (const shape of list) if (inside(shape, px, py)) colour = shape[5];
          if (colour) {
            r += colour[0];
            g += colour[1];
            b += colour[2];
            a += 1;
          }
        }
      }
      const i = (y * size + x) * 4;
      pixels[i] = a ? Math.round(r / a) : 0;
      pixels[i + 1] = a ? Math.round(g / a) : 0;
      pixels[i + 2] = a ? Math.round(b / a) : 0;
      pixels[i + 3] = Math.round((a / samples ** 2) * 255);
    }
  }
  return png(size, pixels);
}

function png(size, rgba) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), draw(192, false));
writeFileSync(new URL('icon-512.png', out), draw(512, false));
writeFileSync(new URL('icon-maskable-512.png', out), draw(512, true));
