// The lobby's device checks, as pure functions: how loud the microphone is (for the meter) and
// the test sound played on the chosen speaker.

/** RMS of time-domain samples in -1..1, shown on a meter scaled so speech fills most of it. */
export function meterLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  // Speech is around 0.05-0.3 RMS; a square root spreads that over the meter.
  return Math.min(1, Math.sqrt(rms) * 1.6);
}

/** A short two-note chime as a 16-bit mono WAV file, played through an <audio> on the speaker. */
export function testSoundWav(sampleRate = 22050): Uint8Array<ArrayBuffer> {
  const notes = [
    { freq: 660, seconds: 0.25 },
    { freq: 880, seconds: 0.45 },
  ];
  const total = Math.round(notes.reduce((n, x) => n + x.seconds, 0) * sampleRate);
  const bytes = new Uint8Array(new ArrayBuffer(44 + total * 2));
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + total * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, total * 2, true);
  let i = 0;
  for (const { freq, seconds } of notes) {
    const n = Math.round(seconds * sampleRate);
    for (let k = 0; k < n && i < total; k++, i++) {
      const fade = Math.min(1, k / 200, (n - k) / 800); // no clicks at the edges
      view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * freq * k) / sampleRate) * 0.4 * fade * 32767), true);
    }
  }
  return bytes;
}
