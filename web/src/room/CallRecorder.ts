// Records the call as this page shows it: the tiles of the call view drawn onto a canvas, and
// every voice (remote ones and our own microphone) mixed with WebAudio, encoded by MediaRecorder
// as WebM. Nothing leaves the browser; the file is handed over when recording stops, with its
// duration written in (webmDuration) so that players show its length and can seek.
import { withWebmDuration } from './webmDuration';

export interface CallRecorderOptions {
  /** The element whose tiles are recorded (tiles: [data-record-tile] with a name attribute). */
  stage: () => HTMLElement | null;
  /** Every audio track to mix in, asked again on each frame (people come and go). */
  audioTracks: () => MediaStreamTrack[];
  width?: number;
  height?: number;
  fps?: number;
}

const BACKGROUND = '#020617';
const TILE = '#0f172a';

export class CallRecorder {
  private readonly opts: CallRecorderOptions;
  private canvas: HTMLCanvasElement | null = null;
  private audio: AudioContext | null = null;
  private mix: MediaStreamAudioDestinationNode | null = null;
  private sources = new Map<string, MediaStreamAudioSourceNode>();
  private recorder: MediaRecorder | null = null;
  private chunks: Blob[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  /** When the recorder started (performance.now()); the file's duration is counted from it. */
  private startedAt = 0;

  constructor(opts: CallRecorderOptions) {
    this.opts = opts;
  }

  get recording(): boolean {
    return this.recorder !== null;
  }

  start(): void {
    if (this.recorder) return;
    const width = this.opts.width ?? 960;
    const height = this.opts.height ?? 540;
    const fps = this.opts.fps ?? 12;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    this.canvas = canvas;
    this.audio = new AudioContext();
    this.mix = this.audio.createMediaStreamDestination();
    this.drawFrame();
    const video = canvas.captureStream(fps).getVideoTracks();
    const stream = new MediaStream([...video, ...this.mix.stream.getAudioTracks()]);
    const mimeType = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
    this.recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    this.chunks = [];
    this.recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    };
    this.recorder.onstart = () => {
      this.startedAt = performance.now();
    };
    this.startedAt = performance.now();
    this.recorder.start(1000);
    this.timer = setInterval(() => this.drawFrame(), 1000 / fps);
  }

  /** Stops and resolves with the WebM file. */
  stop(): Promise<Blob> {
    const recorder = this.recorder;
    if (!recorder) return Promise.reject(new Error('not recording'));
    return new Promise((resolve) => {
      recorder.onstop = () => {
        const durationMs = performance.now() - this.startedAt;
        resolve(withWebmDuration(new Blob(this.chunks, { type: recorder.mimeType || 'video/webm' }), durationMs));
        this.chunks = [];
      };
      recorder.stop();
      this.recorder = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      for (const t of recorder.stream.getTracks()) t.stop();
      for (const s of this.sources.values()) s.disconnect();
      this.sources.clear();
      void this.audio?.close();
      this.audio = null;
      this.mix = null;
    });
  }

  private drawFrame(): void {
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    this.syncAudio();
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const stage = this.opts.stage();
    if (!stage) return;
    const area = stage.getBoundingClientRect();
    if (area.width === 0 || area.height === 0) return;
    // The call view scaled to fit the canvas, centred.
    const scale = Math.min(canvas.width / area.width, canvas.height / area.height);
    const offsetX = (canvas.width - area.width * scale) / 2;
    const offsetY = (canvas.height - area.height * scale) / 2;
    for (const tile of stage.querySelectorAll<HTMLElement>('[data-record-tile]')) {
      const r = tile.getBoundingClientRect();
      const x = offsetX + (r.left - area.left) * scale;
      const y = offsetY + (r.top - area.top) * scale;
      const w = r.width * scale;
      const h = r.height * scale;
      ctx.fillStyle = TILE;
      ctx.fillRect(x, y, w, h);
      const video = tile.querySelector('video');
      // A tile showing initials over a video without a picture (data-picture="false") records as one.
      const showsVideo = video && video.videoWidth > 0 && getComputedStyle(video).opacity !== '0' && tile.dataset.picture !== 'false';
      if (video && showsVideo) drawCover(ctx, video, x, y, w, h, tile.dataset.recordTile === 'contain');
      const name = tile.dataset.recordName ?? '';
      if (name) {
        ctx.font = `${Math.max(12, Math.round(h / 14))}px system-ui, sans-serif`;
        ctx.fillStyle = 'rgba(0,0,0,0.55)';
        const textWidth = ctx.measureText(name).width;
        ctx.fillRect(x + 8, y + h - Math.max(22, h / 9) - 8, textWidth + 16, Math.max(22, h / 9));
        ctx.fillStyle = '#fff';
        ctx.textBaseline = 'middle';
        ctx.fillText(name, x + 16, y + h - Math.max(22, h / 9) / 2 - 8);
      }
    }
  }

  /** Connects tracks that appeared since the last frame to the mix, and drops ended ones. */
  private syncAudio(): void {
    const audio = this.audio;
    const mix = this.mix;
    if (!audio || !mix) return;
    const live = new Set<string>();
    for (const track of this.opts.audioTracks()) {
      if (track.readyState !== 'live') continue;
      live.add(track.id);
      if (this.sources.has(track.id)) continue;
      const source = audio.createMediaStreamSource(new MediaStream([track]));
      source.connect(mix);
      this.sources.set(track.id, source);
    }
    for (const [id, source] of this.sources) {
      if (live.has(id)) continue;
      source.disconnect();
      this.sources.delete(id);
    }
  }
}

/** Draws `video` into the box like CSS object-fit: cover (or contain for shared screens). */
function drawCover(ctx: CanvasRenderingContext2D, video: HTMLVideoElement, x: number, y: number, w: number, h: number, contain: boolean): void {
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  if (contain) {
    const s = Math.min(w / vw, h / vh);
    ctx.drawImage(video, x + (w - vw * s) / 2, y + (h - vh * s) / 2, vw * s, vh * s);
    return;
  }
  const s = Math.max(w / vw, h / vh);
  const sw = w / s;
  const sh = h / s;
  ctx.drawImage(video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, x, y, w, h);
}

/** Offers the recording as a download, named after the room and the time. */
export function downloadRecording(blob: Blob, roomId: string, now = new Date()): void {
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `pulsemeet-${roomId}-${stamp}.webm`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
