// A modal's keyboard contract: focus moves into it when it opens and back to where it was when it
// closes, Tab and Shift+Tab stay inside it, and Esc closes it wherever the focus is inside
// (a device list included: the listener runs in the capture phase, before a <select> sees it).
import { useEffect, useRef, type RefObject } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function useDialog<T extends HTMLElement>(onClose: () => void, { trap = true, initial }: { trap?: boolean; initial?: RefObject<HTMLElement | null> } = {}): RefObject<T | null> {
  const ref = useRef<T>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const box = ref.current;
    const first = initial?.current ?? box?.querySelector<HTMLElement>(FOCUSABLE) ?? box;
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      // Only the dialog or panel the focus is in: with a panel and a dialog open, Esc closes the
      // one being used.
      const inside = box !== null && box.contains(document.activeElement);
      if (!inside && !(trap && document.activeElement === document.body)) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close.current();
        return;
      }
      if (!trap || e.key !== 'Tab' || box === null) return;
      const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
      const head = items.at(0);
      const tail = items.at(-1);
      if (head === undefined || tail === undefined) return;
      if (e.shiftKey && (document.activeElement === head || !inside)) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && (document.activeElement === tail || !inside)) {
        e.preventDefault();
        head.focus();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      // Back where the person was (the button that opened it), if it is still there.
      if (opener?.isConnected) opener.focus();
    };
    // Mount and unmount only: the dialog's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return ref;
}
