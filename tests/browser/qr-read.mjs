// Reads back the QR code the sign-in page draws (www/qr.js) from its SVG, independently of the encoder:
// the module grid from the path, the structure ISO/IEC 18004 fixes (finder, separator and timing
// patterns, the dark module, the size of the version, both copies of the format information and, from
// version 7, the version information, each a valid BCH codeword), then a decode: unmask, read the
// zigzag, split the blocks, check every block's Reed–Solomon syndromes are zero, and parse the byte-mode
// segment. The tables here are typed from the standard again, not imported from the page, and the
// checks are written differently (syndromes, not the encoder's division). It corrects no errors: a
// symbol a scanner would have to repair fails here.

import assert from "node:assert/strict";

/** The module grid of `<svg viewBox="0 0 n n"><rect/><path d="M x y h1v1h-1z …"/></svg>`, quiet zone 4. */
export function gridFromSvg({ viewBox, d }) {
  const [x0, y0, w, h] = viewBox.split(/\s+/).map(Number);
  assert.deepEqual([x0, y0], [0, 0]);
  assert.equal(w, h, "square");
  const size = w - 8;
  const dark = Array.from({ length: size }, () => new Array(size).fill(false));
  const unit = /M(\d+) (\d+)h1v1h-1z/g;
  assert.equal(d.replace(unit, ""), "", "the path is only unit squares");
  for (const [, x, y] of d.matchAll(unit)) {
    const [cx, cy] = [Number(x) - 4, Number(y) - 4];
    assert.ok(cx >= 0 && cy >= 0 && cx < size && cy < size, `module ${x},${y} in the quiet zone`);
    dark[cy][cx] = true;
  }
  return dark;
}

// ISO/IEC 18004 table 9, versions 1–10: [EC codewords per block, [count, data codewords], …].
const BLOCKS = {
  L: [[7, [1, 19]], [10, [1, 34]], [15, [1, 55]], [20, [1, 80]], [26, [1, 108]], [18, [2, 68]], [20, [2, 78]], [24, [2, 97]], [30, [2, 116]], [18, [2, 68], [2, 69]]],
  M: [[10, [1, 16]], [16, [1, 28]], [26, [1, 44]], [18, [2, 32]], [24, [2, 43]], [16, [4, 27]], [18, [4, 31]], [22, [2, 38], [2, 39]], [22, [3, 36], [2, 37]], [26, [4, 43], [1, 44]]],
  Q: [],
  H: [],
};
// Annex E: alignment pattern centres.
const ALIGNMENT = { 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34], 7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50] };
const LEVELS = ["M", "L", "H", "Q"]; // by their two format bits 00, 01, 10, 11

/** The polynomial remainder of `value` (as bits) by `poly`. */
function remainder(value, poly) {
  const degree = 31 - Math.clz32(poly);
  for (let bit = 31 - Math.clz32(value); bit >= degree; bit--) if ((value >>> bit) & 1) value ^= poly << (bit - degree);
  return value;
}

// GF(256) by the primitive polynomial 0x11D, for the syndromes.
const EXP = [];
for (let i = 0, x = 1; i < 255; i++, x = (x << 1) ^ (x & 0x80 ? 0x11d : 0)) EXP.push(x);
const LOG = new Map(EXP.map((v, i) => [v, i]));
const gmul = (a, b) => (a === 0 || b === 0 ? 0 : EXP[(LOG.get(a) + LOG.get(b)) % 255]);

/** Asserts the structure and decodes; answers { version, level, mask, text }. */
export function readQr(dark) {
  const size = dark.length;
  const version = (size - 17) / 4;
  assert.ok(Number.isInteger(version) && version >= 1 && version <= 10, `size ${size} is no version 1–10`);
  const at = (x, y) => dark[y][x];

  // Finder patterns (7×7: ring, light ring, 3×3 core) and their light separators.
  for (const [fx, fy] of [[0, 0], [size - 7, 0], [0, size - 7]]) {
    for (let dy = -1; dy <= 7; dy++) {
      for (let dx = -1; dx <= 7; dx++) {
        const [x, y] = [fx + dx, fy + dy];
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
        assert.equal(at(x, y), ring <= 1 || ring === 3, `finder at ${fx},${fy}: module ${x},${y}`);
      }
    }
  }
  // Timing patterns, and the dark module.
  for (let i = 8; i < size - 8; i++) {
    assert.equal(at(i, 6), i % 2 === 0, `timing row at ${i}`);
    assert.equal(at(6, i), i % 2 === 0, `timing column at ${i}`);
  }
  assert.equal(at(8, size - 8), true, "the dark module");

  // Format information: both copies the same, a valid BCH(15,5) codeword once unmasked with 0x5412.
  let first = 0;
  let second = 0;
  const firstCells = [[8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8], [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8]];
  firstCells.forEach(([x, y], i) => (first |= (at(x, y) ? 1 : 0) << i));
  for (let i = 0; i < 8; i++) second |= (at(size - 1 - i, 8) ? 1 : 0) << i;
  for (let i = 8; i < 15; i++) second |= (at(8, size - 15 + i) ? 1 : 0) << i;
  assert.equal(first, second, "the two copies of the format information");
  const format = first ^ 0x5412;
  assert.equal(remainder(format, 0x537), 0, "format information is a BCH codeword");
  const level = LEVELS[format >>> 13];
  const mask = (format >>> 10) & 7;
  assert.ok(level === "M" || level === "L", `level ${level}`);

  // Version information (7+): both copies the same, a valid BCH(18,6) codeword naming this version.
  if (version >= 7) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < 18; i++) {
      a |= (at(size - 11 + (i % 3), Math.floor(i / 3)) ? 1 : 0) << i;
      b |= (at(Math.floor(i / 3), size - 11 + (i % 3)) ? 1 : 0) << i;
    }
    assert.equal(a, b, "the two copies of the version information");
    assert.equal(a >>> 12, version);
    assert.equal(remainder(a, 0x1f25), 0, "version information is a BCH codeword");
  }

  // Which modules carry data: not finders, separators, format, timing, alignment or version areas.
  const fixed = Array.from({ length: size }, () => new Array(size).fill(false));
  const fix = (x0, y0, w, h) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) fixed[y][x] = true;
  };
  fix(0, 0, 9, 9);
  fix(size - 8, 0, 8, 9);
  fix(0, size - 8, 9, 8);
  fix(6, 0, 1, size);
  fix(0, 6, size, 1);
  const centres = ALIGNMENT[version] ?? [];
  for (const cy of centres) {
    for (const cx of centres) {
      const inFinder = (cx < 9 && cy < 9) || (cx > size - 9 && cy < 9) || (cx < 9 && cy > size - 9);
      if (inFinder) continue;
      fix(cx - 2, cy - 2, 5, 5);
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          assert.equal(at(cx + dx, cy + dy), Math.max(Math.abs(dx), Math.abs(dy)) !== 1, `alignment at ${cx},${cy}`);
        }
      }
    }
  }
  if (version >= 7) {
    fix(size - 11, 0, 3, 6);
    fix(0, size - 11, 6, 3);
  }

  // Unmask and read the zigzag: upwards from the bottom right in column pairs, skipping column 6.
  const masks = [
    (x, y) => (x + y) % 2 === 0,
    (x, y) => y % 2 === 0,
    (x) => x % 3 === 0,
    (x, y) => (x + y) % 3 === 0,
    (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0,
    (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
    (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
    (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
  ];
  const bits = [];
  let upwards = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right--;
    for (let step = 0; step < size; step++) {
      const y = upwards ? size - 1 - step : step;
      for (const x of [right, right - 1]) if (!fixed[y][x]) bits.push(at(x, y) !== masks[mask](x, y) ? 1 : 0);
    }
    upwards = !upwards;
  }
  const codewords = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((v, b) => (v << 1) | b, 0));

  // De-interleave into blocks; each block (data then EC) must have zero syndromes S_i = c(α^i).
  const [ecPerBlock, ...groups] = BLOCKS[level][version - 1];
  const sizes = groups.flatMap(([count, n]) => new Array(count).fill(n));
  const total = sizes.reduce((a, n) => a + n + ecPerBlock, 0);
  assert.equal(codewords.length, total, "codewords the version holds");
  const blocks = sizes.map(() => []);
  let k = 0;
  for (let i = 0; i < Math.max(...sizes); i++) sizes.forEach((n, b) => i < n && blocks[b].push(codewords[k++]));
  for (let i = 0; i < ecPerBlock; i++) sizes.forEach((_, b) => blocks[b].push(codewords[k++]));
  for (const [b, block] of blocks.entries()) {
    for (let i = 0; i < ecPerBlock; i++) {
      let syndrome = 0;
      for (const c of block) syndrome = gmul(syndrome, EXP[i]) ^ c;
      assert.equal(syndrome, 0, `block ${b}: syndrome ${i}`);
    }
  }

  // The data: one byte-mode segment (0100, an 8- or 16-bit count, the bytes), then the terminator.
  const data = blocks.flatMap((block, b) => block.slice(0, sizes[b]));
  const stream = data.flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((s) => (byte >>> s) & 1));
  let p = 0;
  const take = (n) => stream.slice(p, (p += n)).reduce((v, b) => (v << 1) | b, 0);
  assert.equal(take(4), 0b0100, "byte mode");
  const count = take(version < 10 ? 8 : 16);
  const bytes = Array.from({ length: count }, () => take(8));
  assert.equal(take(4), 0, "terminator");
  const text = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  return { version, level, mask, text };
}
