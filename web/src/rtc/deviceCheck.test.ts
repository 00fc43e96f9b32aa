import { describe, expect, it } from 'vitest';
import { meterLevel, testSoundWav } from './deviceCheck';

describe('meterLevel', () => {
  it('is 0 for silence, rises with loudness, and stays within 0..1', () => {
    expect(meterLevel(new Float32Array(256))).toBe(0);
    const quiet = meterLevel(new Float32Array(256).fill(0.01));
    const speech = meterLevel(new Float32Array(256).fill(0.1));
    expect(quiet).toBeGreaterThan(0);
    expect(speech).toBeGreaterThan(quiet);
    expect(meterLevel(new Float32Array(256).fill(1))).toBe(1);
  });
});

describe('testSoundWav', () => {
  it('is a well-formed 16-bit mono PCM WAV of 0.7 s that is not silent', () => {
    const wav = testSoundWav(8000);
    const view = new DataView(wav.buffer);
    const text = (at: number, n: number) => String.fromCharCode(...wav.slice(at, at + n));
    expect(text(0, 4)).toBe('RIFF');
    expect(text(8, 4)).toBe('WAVE');
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint32(40, true)).toBe(5600 * 2);
    expect(wav.length).toBe(44 + 5600 * 2);
    let peak = 0;
    for (let i = 44; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(view.getInt16(i, true)));
    expect(peak).toBeGreaterThan(10000);
  });
});
