import { hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FRAME_OVERHEAD, IvSequence, KEY_ID, clearHeaderBytes, decryptFrame, encryptFrame } from './frameCrypto';
import { deriveSenderKey, deriveSenderKeyBits, hkdfSalt, senderKeyInfo } from './keyDerivation';
import { ROOM_KEY_BYTES, fromBase64Url, generateRoomKey, readLinkKey, toBase64Url, withLinkKey } from './roomKey';

const roomKey = Uint8Array.from({ length: 16 }, (_, i) => i);
const alice = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const bob = 'ffeeddccbbaa99887766554433221100';

function nodeHkdf(key: Uint8Array, peerId: string): string {
  return Buffer.from(hkdfSync('sha256', key, hkdfSalt(), senderKeyInfo(peerId), 16)).toString('hex');
}

describe('room key in the link', () => {
  it('makes 128-bit base64url keys and reads them back from #e2ee=', () => {
    const key = generateRoomKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(generateRoomKey()).not.toBe(key);
    const read = readLinkKey(`#e2ee=${key}`);
    expect(read.kind).toBe('key');
    if (read.kind === 'key') expect(read.bytes.length).toBe(ROOM_KEY_BYTES);
  });
  it('tells no key from a damaged one', () => {
    expect(readLinkKey('')).toEqual({ kind: 'none' });
    expect(readLinkKey('#other=1')).toEqual({ kind: 'none' });
    expect(readLinkKey('#e2ee=')).toEqual({ kind: 'invalid' });
    expect(readLinkKey('#e2ee=short')).toEqual({ kind: 'invalid' });
    expect(readLinkKey('#e2ee=AAAAAAAAAAAAAAAAAAAA+A')).toEqual({ kind: 'invalid' }); // not base64url
    expect(readLinkKey(`#e2ee=${toBase64Url(new Uint8Array(15))}`)).toEqual({ kind: 'invalid' }); // 120 bits
  });
  it('puts the key in the fragment, never in the query the server sees', () => {
    const link = withLinkKey('https://meet.example/r/abc?token=t', 'KEY_key-0123456789abcd');
    const url = new URL(link);
    expect(url.hash).toBe('#e2ee=KEY_key-0123456789abcd');
    expect(url.search).toBe('?token=t');
    expect(withLinkKey(`${link}`, null)).toBe('https://meet.example/r/abc?token=t');
  });
  it('base64url round trips', () => {
    const bytes = new Uint8Array(randomBytes(33));
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });
});

describe('per-sender key derivation', () => {
  it('matches HKDF-SHA256 computed by Node for the same salt and info', async () => {
    for (const [key, peer] of [
      [roomKey, alice],
      [roomKey, bob],
      [new Uint8Array(randomBytes(16)), alice],
      [new Uint8Array(randomBytes(32)), 'x'],
    ] as const) {
      expect(Buffer.from(await deriveSenderKeyBits(key, peer)).toString('hex')).toBe(nodeHkdf(key, peer));
    }
  });
  it('known vector: the key of peer a1b2... under room key 00..0f', async () => {
    // Pinned so a change of salt, info or length (which would split a room across versions) is seen.
    expect(Buffer.from(await deriveSenderKeyBits(roomKey, alice)).toString('hex')).toBe(nodeHkdf(roomKey, alice));
    expect(nodeHkdf(roomKey, alice)).toMatchInlineSnapshot(`"bffc9f73cb64176444b457e776ebface"`);
  });
  it('gives every sender its own key', async () => {
    const a = Buffer.from(await deriveSenderKeyBits(roomKey, alice)).toString('hex');
    const b = Buffer.from(await deriveSenderKeyBits(roomKey, bob)).toString('hex');
    expect(a).not.toBe(b);
  });
});

describe('frame framing', () => {
  const vp8Key = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  vp8Key[0] = 0x50; // P bit 0: a key frame
  const ivs = new IvSequence();

  it('round trips audio and video, key and delta frames', async () => {
    const key = await deriveSenderKey(roomKey, alice);
    for (const [kind, type] of [
      ['video', 'key'],
      ['video', 'delta'],
      ['audio', undefined],
    ] as const) {
      const sealed = await encryptFrame(key, vp8Key.slice().buffer, kind, type, ivs.next());
      expect(sealed.byteLength).toBe(vp8Key.length + FRAME_OVERHEAD);
      const opened = await decryptFrame(key, sealed, kind, type);
      expect(opened && new Uint8Array(opened)).toEqual(vp8Key);
    }
  });

  it('keeps the codec header in clear (10 bytes of a VP8 key frame, 3 of a delta, 1 of Opus) and hides the rest', async () => {
    const key = await deriveSenderKey(roomKey, alice);
    for (const [kind, type, clear] of [
      ['video', 'key', 10],
      ['video', 'delta', 3],
      ['audio', undefined, 1],
    ] as const) {
      expect(clearHeaderBytes(kind, type)).toBe(clear);
      const sealed = new Uint8Array(await encryptFrame(key, vp8Key.slice().buffer, kind, type, ivs.next()));
      expect(sealed.subarray(0, clear)).toEqual(vp8Key.subarray(0, clear));
      expect(sealed.subarray(clear, clear + 16)).not.toEqual(vp8Key.subarray(clear, clear + 16));
      expect(sealed[sealed.length - 1]).toBe(KEY_ID);
    }
  });

  it('refuses a tampered payload, header, IV or key id, a wrong key and another sender’s key', async () => {
    const key = await deriveSenderKey(roomKey, alice);
    const sealed = new Uint8Array(await encryptFrame(key, vp8Key.slice().buffer, 'video', 'key', ivs.next()));
    for (const at of [0, 5, 9, 10, 100, sealed.length - 20, sealed.length - 5, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      expect(await decryptFrame(key, bad.buffer, 'video', 'key'), `byte ${at}`).toBeNull();
    }
    expect(await decryptFrame(await deriveSenderKey(roomKey, bob), sealed.slice().buffer, 'video', 'key')).toBeNull();
    expect(await decryptFrame(await deriveSenderKey(new Uint8Array(16).fill(9), alice), sealed.slice().buffer, 'video', 'key')).toBeNull();
    expect(await decryptFrame(key, sealed.slice(0, 20).buffer, 'video', 'key')).toBeNull();
    expect(await decryptFrame(key, vp8Key.slice().buffer, 'video', 'key')).toBeNull(); // a plain frame
  });

  it('seals frames shorter than their clear header', async () => {
    const key = await deriveSenderKey(roomKey, alice);
    const tiny = Uint8Array.of(1, 2);
    const sealed = await encryptFrame(key, tiny.slice().buffer, 'video', 'key', ivs.next());
    expect(new Uint8Array((await decryptFrame(key, sealed, 'video', 'key')) ?? new ArrayBuffer(0))).toEqual(tiny);
  });

  it('never repeats an IV within a sequence, and two sequences start apart', () => {
    const a = new IvSequence();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(Buffer.from(a.next()).toString('hex'));
    expect(seen.size).toBe(1000);
    expect(Buffer.from(new IvSequence().next()).toString('hex')).not.toBe(Buffer.from(new IvSequence().next()).toString('hex'));
  });
});
