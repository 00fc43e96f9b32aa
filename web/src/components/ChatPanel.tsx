// The chat side panel. Message text is rendered as a React text node only: markup someone types
// shows as the characters they typed.
import { useEffect, useRef, useState } from 'react';
import type { ChatSnapshot } from '../room/ChatLog';
import { CloseIcon, SendIcon } from './icons';
import { useDialog } from './useDialog';

export const SIDE_PANEL = 'flex h-full w-80 shrink-0 flex-col overflow-hidden rounded-2xl bg-slate-900/90 ring-1 ring-white/5';
export const SHEET = 'fixed inset-0 z-40 flex flex-col overflow-hidden bg-slate-900';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** `sheet`: full screen with a close button (narrow screens); otherwise a side panel. */
export function ChatPanel({ chat, onSend, onClose, sheet = false }: { chat: ChatSnapshot; onSend: (text: string) => void; onClose: () => void; sheet?: boolean }) {
  const [draft, setDraft] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLInputElement>(null);
  // Opening moves the focus to the message field, closing takes it back to where it was (the
  // chat button); Esc closes. A full-screen sheet keeps Tab inside it.
  const panel = useDialog<HTMLElement>(onClose, { trap: sheet, initial: input });
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [chat.messages.length]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!draft.trim()) return;
    onSend(draft);
    setDraft('');
  };

  return (
    <aside ref={panel} aria-labelledby="chat-title" role={sheet ? 'dialog' : undefined} aria-modal={sheet ? true : undefined} data-testid="chat-panel" data-sheet={sheet ? 'true' : 'false'} className={sheet ? SHEET : SIDE_PANEL}>
      <header className="flex items-center justify-between border-b border-white/5 px-4 py-3">
        <h2 id="chat-title" className="text-sm font-semibold text-slate-100">Chat</h2>
        <button type="button" data-testid="close-chat" onClick={onClose} className={`rounded-lg text-slate-400 hover:bg-white/5 hover:text-white ${sheet ? 'p-2.5' : 'p-1'}`} aria-label="Close chat">
          <CloseIcon className={sheet ? 'h-5 w-5' : 'h-4 w-4'} />
        </button>
      </header>
      <ol ref={list} className="flex-1 space-y-3 overflow-y-auto p-4">
        {chat.messages.length === 0 && <li className="text-sm text-slate-400">Messages go straight to everyone in the call; nothing is stored on the server.</li>}
        {chat.messages.map((m) => (
          <li key={m.id} data-testid="chat-message" data-mine={m.fromId === null ? 'true' : 'false'} className={`flex flex-col ${m.fromId === null ? 'items-end' : 'items-start'}`}>
            <div className="mb-0.5 flex items-baseline gap-2 text-[11px] text-slate-400">
              <span data-testid="chat-name" className="font-medium text-slate-300">
                {m.fromId === null ? 'You' : m.name}
              </span>
              <time dateTime={new Date(m.at).toISOString()}>{timeFormat.format(m.at)}</time>
            </div>
            <p data-testid="chat-text" className={`max-w-[min(15rem,80vw)] whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-sm ${m.fromId === null ? 'rounded-br-md bg-indigo-500 text-white' : 'rounded-bl-md bg-slate-800 text-slate-100'}`}>
              {m.text}
            </p>
            {m.undelivered.length > 0 && (
              <span data-testid="chat-undelivered" className="mt-1 text-[11px] text-rose-300">
                ⚠ Not delivered to {m.undelivered.join(', ')}
              </span>
            )}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="flex items-center gap-2 border-t border-white/5 p-3">
        <input
          ref={input}
          data-testid="chat-input"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={2000}
          placeholder="Message everyone"
          aria-label="Chat message"
          className="min-w-0 flex-1 rounded-xl bg-slate-800 px-3 py-2 text-sm text-white placeholder:text-slate-400 focus:outline-none focus:ring-2 focus:ring-indigo-400"
        />
        <button type="submit" data-testid="chat-send" aria-label="Send" className="grid h-9 w-9 place-items-center rounded-xl bg-indigo-500 text-white hover:bg-indigo-400 disabled:opacity-40" disabled={!draft.trim()}>
          <SendIcon className="h-4 w-4" />
        </button>
      </form>
    </aside>
  );
}
