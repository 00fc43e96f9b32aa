import { describe, expect, it } from 'vitest';
import { lastBlockTicks, patchWebmDuration, readWebmDuration, webmTimecodeScale, withWebmDuration } from './webmDuration';

/** An EBML element with a 1-byte size (all this test needs). */
function el(id: number[], body: number[]): number[] {
  return [...id, 0x80 | body.length, ...body];
}

const EBML = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], [...'webm'].map((c) => c.charCodeAt(0))));
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const SEGMENT_ID = [0x18, 0x53, 0x80, 0x67];
const TIMECODE_SCALE_1MS = el([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]);
const MUXING_APP = el([0x4d, 0x80], [...'Chrome'].map((c) => c.charCodeAt(0)));
const TRACKS = el([0x16, 0x54, 0xae, 0x6b], [0xae, 0x80]);
/** A live cluster (unknown size) at `timecode` ms with one SimpleBlock per offset (track 1, 16-bit offset). */
function cluster(timecode: number, offsets: number[]): number[] {
  const blocks = offsets.flatMap((o) => el([0xa3], [0x81, (o >> 8) & 0xff, o & 0xff, 0x80, 0x11, 0x22]));
  return [0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN_SIZE, ...el([0xe7], [(timecode >> 8) & 0xff, timecode & 0xff]), ...blocks];
}
const CLUSTER = cluster(0, [0]);

/** What Chrome's MediaRecorder writes: live-stream WebM, Info without Duration. */
function recorderWebm(info: number[] = [...TIMECODE_SCALE_1MS, ...MUXING_APP]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([...EBML, ...SEGMENT_ID, ...UNKNOWN_SIZE, ...el([0x15, 0x49, 0xa9, 0x66], info), ...TRACKS, ...CLUSTER]);
}

describe('WebM duration', () => {
  it('a recording as MediaRecorder writes it has no duration', () => {
    expect(readWebmDuration(recorderWebm())).toBeNull();
  });

  it('writes the duration into Info and keeps everything after Info byte for byte', () => {
    const original = recorderWebm();
    const patched = patchWebmDuration(original, 4_250)!;
    expect(readWebmDuration(patched)).toBe(4_250);
    const tail = [...TRACKS, ...CLUSTER];
    expect([...patched.subarray(patched.length - tail.length)]).toEqual(tail);
    expect(new TextDecoder().decode(patched)).toContain('Chrome'); // Info's other fields kept
  });

  it('counts in the file timecode scale', () => {
    const scale10ms = el([0x2a, 0xd7, 0xb1], [0x98, 0x96, 0x80]); // 10,000,000 ns
    const patched = patchWebmDuration(recorderWebm([...scale10ms, ...MUXING_APP]), 3_000)!;
    const at = patched.findIndex((b, i) => b === 0x44 && patched[i + 1] === 0x89);
    expect(new DataView(patched.buffer, at + 3, 8).getFloat64(0)).toBe(300);
    expect(readWebmDuration(patched)).toBe(3_000);
  });

  it('replaces a duration that is already there', () => {
    const once = patchWebmDuration(recorderWebm(), 1_000)!;
    const twice = patchWebmDuration(once, 2_000)!;
    expect(readWebmDuration(twice)).toBe(2_000);
    expect(twice.length).toBe(once.length);
  });

  it('leaves what is not WebM alone', async () => {
    expect(patchWebmDuration(new Uint8Array([1, 2, 3, 4]), 1_000)).toBeNull();
    const notWebm = new Blob([new Uint8Array([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70])]);
    expect(await withWebmDuration(notWebm, 1_000)).toBe(notWebm);
  });

  it('finds the last block: the last cluster timecode plus its largest block offset', () => {
    const file = new Uint8Array([...recorderWebm(), ...cluster(5_000, [0, 40, 80]), ...cluster(9_000, [0, 33, 967, 500])]);
    expect(lastBlockTicks(file)).toBe(9_967);
    expect(webmTimecodeScale(file)).toBe(1_000_000);
  });

  it('writes the time of the last block, not how long the recorder ran, when the tail has it', async () => {
    const blob = new Blob([recorderWebm(), new Uint8Array(cluster(4_000, [0, 960]))], { type: 'video/webm' });
    const out = await withWebmDuration(blob, 3_100);
    expect(readWebmDuration(new Uint8Array(await out.slice(0, 1024).arrayBuffer()))).toBe(4_960);
  });

  it('patches a blob, beyond whose head the bytes are passed through', async () => {
    const big = new Uint8Array(200_000).fill(7);
    const blob = new Blob([recorderWebm(), new Uint8Array(cluster(12_000, [0, 345])), big], { type: 'video/webm' });
    const out = await withWebmDuration(blob, 1_000);
    expect(out.type).toBe('video/webm');
    expect(out.size).toBe(blob.size + 11 + 7); // Duration (11 bytes), Info's size now 8 bytes long
    expect(readWebmDuration(new Uint8Array(await out.slice(0, 1024).arrayBuffer()))).toBe(12_345);
    const end = new Uint8Array(await out.slice(out.size - 10).arrayBuffer());
    expect([...end]).toEqual(new Array(10).fill(7));
  });
});
