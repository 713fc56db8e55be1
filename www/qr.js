// A small QR code encoder (ISO/IEC 18004), written for this page so an otpauth:// URL never leaves it:
// byte mode, error correction M (L when M does not fit), versions 1–10 (up to 271 bytes), the mask with
// the lowest penalty. `qrMatrix(text)` answers the modules; `qrSvg(matrix)` draws them as an SVG element
// (built with DOM calls: Trusted Types forbid HTML strings).

// Per version 1–10 and level: [EC codewords per block, [blocks, data codewords per block], …].
const BLOCKS = {
  L: [
    [7, [1, 19]], [10, [1, 34]], [15, [1, 55]], [20, [1, 80]], [26, [1, 108]],
    [18, [2, 68]], [20, [2, 78]], [24, [2, 97]], [30, [2, 116]], [18, [2, 68], [2, 69]],
  ],
  M: [
    [10, [1, 16]], [16, [1, 28]], [26, [1, 44]], [18, [2, 32]], [24, [2, 43]],
    [16, [4, 27]], [18, [4, 31]], [22, [2, 38], [2, 39]], [22, [3, 36], [2, 37]], [26, [4, 43], [1, 44]],
  ],
};
// Format information's two bits for the level.
const LEVEL_BITS = { L: 1, M: 0 };
// Centres of the alignment patterns, versions 2–10 (version 1 has none).
const ALIGN = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
export const MAX_VERSION = 10;

// --- GF(256) arithmetic (polynomial 0x11D) and Reed–Solomon ------------------------------------------

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

/** The generator polynomial of degree n (roots α^0…α^(n-1)), highest coefficient (1) dropped. */
function generator(n) {
  let poly = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j] ^= poly[j];
      next[j + 1] ^= mul(poly[j], EXP[i]);
    }
    poly = next;
  }
  return poly.slice(1);
}

/** The n error-correction codewords of `data`: the remainder of data·x^n divided by the generator. */
function ecCodewords(data, n) {
  const gen = generator(n);
  const rem = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ rem.shift();
    rem.push(0);
    for (let i = 0; i < n; i++) rem[i] ^= mul(gen[i], factor);
  }
  return rem;
}

// --- the codewords --------------------------------------------------------------------------------------

function blocksOf(version, level) {
  const [ecPerBlock, ...groups] = BLOCKS[level][version - 1];
  const sizes = groups.flatMap(([count, size]) => new Array(count).fill(size));
  return { ecPerBlock, sizes, dataCapacity: sizes.reduce((a, b) => a + b, 0) };
}

/** Mode, count, bytes, terminator and padding: the data codewords, or null if they do not fit. */
function dataCodewords(bytes, version, level) {
  const { dataCapacity } = blocksOf(version, level);
  const countBits = version < 10 ? 8 : 16;
  const bits = [];
  const put = (value, length) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4); // byte mode
  if (bytes.length >= 1 << countBits) return null;
  put(bytes.length, countBits);
  for (const byte of bytes) put(byte, 8);
  const capacityBits = dataCapacity * 8;
  if (bits.length > capacityBits) return null;
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const words = [];
  for (let i = 0; i < bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; words.length < dataCapacity; pad ^= 0xec ^ 0x11) words.push(pad);
  return words;
}

/** Data split into blocks, each with its EC codewords, interleaved as the symbol carries them. */
function interleave(words, version, level) {
  const { ecPerBlock, sizes } = blocksOf(version, level);
  const blocks = [];
  let at = 0;
  for (const size of sizes) {
    const data = words.slice(at, at + size);
    at += size;
    blocks.push({ data, ec: ecCodewords(data, ecPerBlock) });
  }
  const out = [];
  for (let i = 0; i < Math.max(...sizes); i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
  for (let i = 0; i < ecPerBlock; i++) for (const b of blocks) out.push(b.ec[i]);
  return out;
}

// --- the symbol -----------------------------------------------------------------------------------------

/** BCH remainder of `value` by `poly` of degree `degree`. */
function bch(value, poly, degree) {
  let rem = value << degree;
  for (let bit = 31 - Math.clz32(rem); bit >= degree; bit--) if ((rem >>> bit) & 1) rem ^= poly << (bit - degree);
  return rem;
}

/** The 15 format bits (level, mask, BCH, XOR 0x5412). */
export const formatBits = (level, mask) => {
  const data = (LEVEL_BITS[level] << 3) | mask;
  return ((data << 10) | bch(data, 0x537, 10)) ^ 0x5412;
};

/** The 18 version bits (versions 7 and up). */
export const versionBits = (version) => (version << 12) | bch(version, 0x1f25, 12);

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/** The function patterns of a version: `dark[y][x]` and which modules they reserve. */
function functionPatterns(version) {
  const size = 17 + 4 * version;
  const dark = Array.from({ length: size }, () => new Array(size).fill(false));
  const reserved = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (x, y, on) => {
    dark[y][x] = on;
    reserved[y][x] = true;
  };
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // Finder patterns with their separators.
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        const ring = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, ring !== 2 && ring !== 4);
      }
    }
  }
  const centres = ALIGN[version - 1];
  const last = centres.length - 1;
  for (const [j, cy] of centres.entries()) {
    for (const [i, cx] of centres.entries()) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue; // finder corners
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }
  // Format information's places (filled per mask), and the dark module.
  for (let i = 0; i < 9; i++) {
    if (i === 6) continue; // the timing patterns cross here
    set(8, i, false);
    set(i, 8, false);
  }
  for (let i = 0; i < 8; i++) {
    set(size - 1 - i, 8, false);
    set(8, size - 1 - i, false);
  }
  set(8, size - 8, true);
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const on = ((bits >>> i) & 1) === 1;
      set(size - 11 + (i % 3), Math.floor(i / 3), on);
      set(Math.floor(i / 3), size - 11 + (i % 3), on);
    }
  }
  return { size, dark, reserved };
}

/** Writes the 15 format bits into both of their places. */
function drawFormat(dark, size, bits) {
  const bit = (i) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) dark[i][8] = bit(i);
  dark[7][8] = bit(6);
  dark[8][8] = bit(7);
  dark[8][7] = bit(8);
  for (let i = 9; i < 15; i++) dark[8][14 - i] = bit(i);
  for (let i = 0; i < 8; i++) dark[8][size - 1 - i] = bit(i);
  for (let i = 8; i < 15; i++) dark[size - 15 + i][8] = bit(i);
}

/** Places the codewords' bits in the two-column zigzag from the bottom right, skipping reserved modules. */
function drawCodewords(dark, reserved, size, codewords) {
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (reserved[y][x]) continue;
        if (i < codewords.length * 8) dark[y][x] = ((codewords[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
}

/** ISO 18004's penalty: runs, 2×2 blocks, finder-like patterns, dark/light balance. */
function penalty(dark, size) {
  let score = 0;
  const lines = [];
  for (let y = 0; y < size; y++) lines.push(dark[y].map((d) => (d ? "1" : "0")).join(""));
  for (let x = 0; x < size; x++) lines.push(dark.map((row) => (row[x] ? "1" : "0")).join(""));
  for (const line of lines) {
    for (const run of line.match(/0{5,}|1{5,}/g) ?? []) score += run.length - 2;
    const padded = `0000${line}0000`;
    for (let i = 0; i + 11 <= padded.length; i++) {
      const part = padded.slice(i, i + 11);
      if (part === "10111010000" || part === "00001011101") score += 40;
    }
  }
  let darkCount = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (dark[y][x]) darkCount++;
      if (x + 1 < size && y + 1 < size) {
        const c = dark[y][x];
        if (dark[y][x + 1] === c && dark[y + 1][x] === c && dark[y + 1][x + 1] === c) score += 3;
      }
    }
  }
  score += 10 * Math.floor(Math.abs(darkCount * 20 - size * size * 10) / (size * size));
  return score;
}

/**
 * The QR symbol of `text` (UTF-8, byte mode): `{ version, level, mask, size, dark }` with `dark[y][x]`
 * true for a dark module. Throws a RangeError when the text needs more than version 10 at level L.
 */
export function qrMatrix(text) {
  const bytes = new TextEncoder().encode(text);
  for (const level of ["M", "L"]) {
    for (let version = 1; version <= MAX_VERSION; version++) {
      const words = dataCodewords(bytes, version, level);
      if (!words) continue;
      const codewords = interleave(words, version, level);
      let best = null;
      for (let mask = 0; mask < 8; mask++) {
        const { size, dark, reserved } = functionPatterns(version);
        drawCodewords(dark, reserved, size, codewords);
        const masked = MASKS[mask];
        for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (!reserved[y][x] && masked(x, y)) dark[y][x] = !dark[y][x];
        drawFormat(dark, size, formatBits(level, mask));
        const score = penalty(dark, size);
        if (!best || score < best.score) best = { version, level, mask, size, dark, score };
      }
      return best;
    }
  }
  throw new RangeError(`too long for a QR code of version ${MAX_VERSION}: ${bytes.length} bytes`);
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * The symbol as an `<svg>` (one path of unit squares, a 4-module quiet zone, black on white whatever
 * the page's colours), labelled for assistive technology by `label`.
 */
export function qrSvg({ size, dark }, label) {
  const quiet = 4;
  const extent = size + 2 * quiet;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${extent} ${extent}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("class", "qr");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(extent));
  background.setAttribute("height", String(extent));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  let d = "";
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (dark[y][x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}
