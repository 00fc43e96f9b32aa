// The chat as the UI shows it: messages with names and times, the unread count while the panel
// is closed, and for each message we sent, who it could not reach. Text stays plain text: it is
// only ever rendered as a React text node, never as HTML.
import { chatText, MAX_CHAT_LENGTH } from '../protocol/chatText';

export interface ChatMessage {
  id: number;
  /** null: sent by us. */
  fromId: string | null;
  name: string;
  text: string;
  /** Unix milliseconds: when it was sent (ours) or received (theirs). */
  at: number;
  /** Names of the people this message of ours could not be delivered to. */
  undelivered: string[];
}

export interface ChatSnapshot {
  messages: readonly ChatMessage[];
  unread: number;
  open: boolean;
}

/** What goes over the data channel, as JSON. */
export interface ChatWireMessage {
  type: 'chat';
  text: string;
}

export { MAX_CHAT_LENGTH };
const MAX_KEPT = 500;

/** The chat payload in `data`, or null when it is not one (a peer must not break our page). */
export function parseChatWire(data: string): ChatWireMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const text = o.type === 'chat' ? chatText(o.text) : null;
  return text ? { type: 'chat', text } : null;
}

export class ChatLog {
  private messages: ChatMessage[] = [];
  private unread = 0;
  private open = false;
  private nextId = 1;
  private snap: ChatSnapshot = { messages: [], unread: 0, open: false };

  get snapshot(): ChatSnapshot {
    return this.snap;
  }

  addOwn(name: string, text: string, at: number): ChatMessage {
    return this.push({ id: this.nextId++, fromId: null, name, text, at, undelivered: [] });
  }

  addIncoming(fromId: string, name: string, text: string, at: number): ChatMessage {
    if (!this.open) this.unread += 1;
    return this.push({ id: this.nextId++, fromId, name, text, at, undelivered: [] });
  }

  markUndelivered(id: number, names: string[]): void {
    if (names.length === 0) return;
    this.messages = this.messages.map((m) => (m.id === id ? { ...m, undelivered: [...names] } : m));
    this.refresh();
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.unread = 0;
    this.refresh();
  }

  private push(m: ChatMessage): ChatMessage {
    this.messages = [...this.messages, m].slice(-MAX_KEPT);
    this.refresh();
    return m;
  }

  private refresh(): void {
    this.snap = { messages: this.messages, unread: this.unread, open: this.open };
  }
}
