// A minimal reader of the wasm binary format (LEB128 integers, names, the section list), shared by
// size-report.mjs and strip-wasm-names.mjs.

export class Reader {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  byte() {
    return this.bytes[this.pos++];
  }

  /** An unsigned LEB128 integer. */
  leb() {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }

  /** A length-prefixed UTF-8 name. */
  name() {
    const len = this.leb();
    const s = this.bytes.subarray(this.pos, this.pos + len).toString("utf8");
    this.pos += len;
    return s;
  }
}

/**
 * Checks the module header, then yields each section as `{ id, start, end, reader }`: `start` is the
 * offset of its id byte, `end` the offset after it, `reader` positioned at its content.
 */
export function* sections(bytes, file) {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file} is not a wasm module`);
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const reader = new Reader(bytes, pos);
    const id = reader.byte();
    const size = reader.leb();
    const end = reader.pos + size;
    if (end > bytes.length) throw new Error(`${file}: truncated section at byte ${start}`);
    yield { id, start, end, reader };
    pos = end;
  }
}
