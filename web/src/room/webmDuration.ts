// MediaRecorder writes WebM as a live stream: the Segment has an unknown size and its Info has no
// Duration, so players show no length and cannot seek (ffprobe reports "N/A"). Once recording
// stops we know the length; this writes it into Info as an EBML Duration element. Only the file's
// head is read and rewritten: the clusters (the bulk of the file) are passed on untouched, which
// is fine because MediaRecorder's Segment has an unknown size and no SeekHead or Cues whose byte
// offsets would move.

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER = 0x1f43b675;
const CLUSTER_TIMECODE = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;
/** Info comes before the first cluster, within the first few hundred bytes in practice. */
const HEAD_BYTES = 64 * 1024;
/**
 * The last cluster starts within this many bytes of the end: Chrome starts one at least every
 * 32.767 s (a block's offset is 16 bits of milliseconds), a few MB at the most at call bitrates.
 */
const TAIL_BYTES = 8 * 1024 * 1024;

interface Vint {
  value: number;
  length: number;
  /** All value bits set: "unknown size". */
  unknown: boolean;
}

function readVint(bytes: Uint8Array, at: number, keepMarker: boolean): Vint | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = (first & (0xff >> length)) === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    if (bytes[at + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: allOnes };
}

interface Element {
  id: number;
  /** Where the element starts (its id), where its data starts and ends. */
  start: number;
  dataStart: number;
  dataEnd: number;
  sizeLength: number;
}

function readElement(bytes: Uint8Array, at: number): Element | null {
  const id = readVint(bytes, at, true);
  if (!id) return null;
  const size = readVint(bytes, at + id.length, false);
  if (!size) return null;
  const dataStart = at + id.length + size.length;
  return { id: id.value, start: at, dataStart, dataEnd: size.unknown ? Infinity : dataStart + size.value, sizeLength: size.length };
}

/** Size as an 8-byte EBML vint (any size fits; players accept the long form). */
function sizeVint8(size: number): number[] {
  const out = [0x01];
  for (let shift = 6; shift >= 0; shift--) out.push(Math.floor(size / 2 ** (8 * shift)) & 0xff);
  return out;
}

function float64(value: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return [...new Uint8Array(view.buffer)];
}

function readUint(bytes: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 256 + bytes[i]!;
  return v;
}

/**
 * The head of a WebM file with `durationMs` written into its Info (replacing a Duration that is
 * there), or null when the bytes are not a WebM this understands. `head` must hold the whole
 * Info element; the rest of the file follows the returned bytes unchanged.
 */
export function patchWebmDuration(head: Uint8Array, durationMs: number): Uint8Array<ArrayBuffer> | null {
  const header = readElement(head, 0);
  if (!header || header.id !== EBML_HEADER || header.dataEnd > head.length) return null;
  const segment = readElement(head, header.dataEnd);
  if (!segment || segment.id !== SEGMENT) return null;
  let at = segment.dataStart;
  while (at < head.length) {
    const el = readElement(head, at);
    if (!el || el.id === CLUSTER || el.dataEnd === Infinity) return null;
    if (el.id !== INFO) {
      at = el.dataEnd;
      continue;
    }
    if (el.dataEnd > head.length) return null;
    let scale = 1_000_000; // nanoseconds per tick, the default
    const kept: number[] = [];
    for (let child = el.dataStart; child < el.dataEnd; ) {
      const c = readElement(head, child);
      if (!c || c.dataEnd > el.dataEnd) return null;
      if (c.id === TIMECODE_SCALE) scale = readUint(head, c.dataStart, c.dataEnd) || scale;
      if (c.id !== DURATION) kept.push(...head.subarray(c.start, c.dataEnd));
      child = c.dataEnd;
    }
    const duration = [0x44, 0x89, 0x88, ...float64((durationMs * 1_000_000) / scale)];
    const body = [...kept, ...duration];
    const info = [0x15, 0x49, 0xa9, 0x66, ...sizeVint8(body.length), ...body];
    const out = new Uint8Array(el.start + info.length + (head.length - el.dataEnd));
    out.set(head.subarray(0, el.start), 0);
    out.set(info, el.start);
    out.set(head.subarray(el.dataEnd), el.start + info.length);
    return out;
  }
  return null;
}

/** The Info's TimecodeScale (nanoseconds per tick) in a WebM head; the default when absent. */
export function webmTimecodeScale(head: Uint8Array): number {
  const header = readElement(head, 0);
  const segment = header && readElement(head, header.dataEnd);
  if (!header || !segment || segment.id !== SEGMENT) return 1_000_000;
  for (let at = segment.dataStart; at < head.length; ) {
    const el = readElement(head, at);
    if (!el || el.id === CLUSTER || el.dataEnd === Infinity) break;
    if (el.id === INFO) {
      for (let child = el.dataStart; child < Math.min(el.dataEnd, head.length); ) {
        const c = readElement(head, child);
        if (!c) break;
        if (c.id === TIMECODE_SCALE) return readUint(head, c.dataStart, c.dataEnd) || 1_000_000;
        child = c.dataEnd;
      }
      break;
    }
    at = el.dataEnd;
  }
  return 1_000_000;
}

/** A block's timecode relative to its cluster (signed 16 bits after the track number). */
function blockOffset(bytes: Uint8Array, blockStart: number): number | null {
  const track = readVint(bytes, blockStart, false);
  if (!track || blockStart + track.length + 2 > bytes.length) return null;
  const at = blockStart + track.length;
  const raw = (bytes[at]! << 8) | bytes[at + 1]!;
  return raw >= 0x8000 ? raw - 0x10000 : raw;
}

/**
 * The time of the last block in the file's `tail`, in ticks of the timecode scale: the last
 * cluster's timecode plus the largest block offset in it. Null when no cluster starts in the tail.
 */
export function lastBlockTicks(tail: Uint8Array): number | null {
  for (let at = tail.length - 4; at >= 0; at--) {
    if (tail[at] !== 0x1f || tail[at + 1] !== 0x43 || tail[at + 2] !== 0xb6 || tail[at + 3] !== 0x75) continue;
    const cluster = readElement(tail, at);
    if (!cluster) continue;
    let base: number | null = null;
    let last = 0;
    const end = Math.min(cluster.dataEnd, tail.length);
    for (let pos = cluster.dataStart; pos < end; ) {
      const el = readElement(tail, pos);
      if (!el || el.id === CLUSTER) break;
      if (el.id === CLUSTER_TIMECODE && el.dataEnd <= tail.length) base = readUint(tail, el.dataStart, el.dataEnd);
      else if (el.id === SIMPLE_BLOCK) last = Math.max(last, blockOffset(tail, el.dataStart) ?? last);
      else if (el.id === BLOCK_GROUP) {
        const block = readElement(tail, el.dataStart);
        if (block?.id === BLOCK) last = Math.max(last, blockOffset(tail, block.dataStart) ?? last);
      }
      pos = el.dataEnd;
    }
    // A cluster's first child is its timecode; without one this was a look-alike inside a frame.
    if (base !== null) return base + last;
  }
  return null;
}

/**
 * `blob` with its duration written in: the time of its last block when the file's tail says,
 * else `fallbackMs` (how long the recorder ran). The blob unchanged when it cannot be patched.
 */
export async function withWebmDuration(blob: Blob, fallbackMs: number): Promise<Blob> {
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  const tail = new Uint8Array(await blob.slice(Math.max(0, blob.size - TAIL_BYTES)).arrayBuffer());
  const ticks = lastBlockTicks(tail);
  const durationMs = ticks === null ? fallbackMs : (ticks * webmTimecodeScale(head)) / 1_000_000;
  const patched = patchWebmDuration(head, durationMs);
  if (!patched) return blob;
  return new Blob([patched, blob.slice(head.length)], { type: blob.type });
}

/** The Duration in a WebM head, in milliseconds (for tests and checks); null when absent. */
export function readWebmDuration(head: Uint8Array): number | null {
  const header = readElement(head, 0);
  if (!header || header.id !== EBML_HEADER) return null;
  const segment = readElement(head, header.dataEnd);
  if (!segment || segment.id !== SEGMENT) return null;
  for (let at = segment.dataStart; at < head.length; ) {
    const el = readElement(head, at);
    if (!el || el.id === CLUSTER || el.dataEnd === Infinity) return null;
    if (el.id === INFO) {
      let scale = 1_000_000;
      let duration: number | null = null;
      for (let child = el.dataStart; child < el.dataEnd; ) {
        const c = readElement(head, child);
        if (!c) return null;
        if (c.id === TIMECODE_SCALE) scale = readUint(head, c.dataStart, c.dataEnd) || scale;
        if (c.id === DURATION) {
          const view = new DataView(head.buffer, head.byteOffset + c.dataStart, c.dataEnd - c.dataStart);
          duration = c.dataEnd - c.dataStart === 8 ? view.getFloat64(0) : view.getFloat32(0);
        }
        child = c.dataEnd;
      }
      return duration === null ? null : (duration * scale) / 1_000_000;
    }
    at = el.dataEnd;
  }
  return null;
}
