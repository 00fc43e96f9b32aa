// A small timeline of what the media transports do while a room moves between mesh and media
// server (mode received, offers and answers, connection states, first decoded frame per remote,
// the swap), with the page's clock. The browser tests read it through the test hook to say where
// the time of a move goes; it costs one array push per event and keeps the last MAX_ENTRIES.

export interface TraceEntry {
  /** performance.now() (or the injected clock) when it happened, in ms. */
  atMs: number;
  event: string;
  detail?: string;
}

/** Records one event; what the transports are given. */
export type Trace = (event: string, detail?: string) => void;

const MAX_ENTRIES = 400;

export class MoveTrace {
  private readonly log: TraceEntry[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  readonly record: Trace = (event, detail) => {
    if (this.log.length >= MAX_ENTRIES) this.log.shift();
    this.log.push(detail === undefined ? { atMs: this.now(), event } : { atMs: this.now(), event, detail });
  };

  entries(): readonly TraceEntry[] {
    return this.log;
  }
}
