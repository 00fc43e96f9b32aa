// A two-route router over window.location: `/` and `/r/<roomId>`. No library needed for that.
import { useSyncExternalStore } from 'react';

export type Route = { name: 'home' } | { name: 'check' } | { name: 'room'; roomId: string } | { name: 'not-found'; path: string };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'home' };
  if (pathname === '/check' || pathname === '/check/') return { name: 'check' };
  const m = /^\/r\/([^/]*)\/?$/.exec(pathname);
  if (m) {
    let id = m[1] ?? '';
    try {
      id = decodeURIComponent(id);
    } catch {
      /* keep raw: validation will reject it */
    }
    return { name: 'room', roomId: id };
  }
  return { name: 'not-found', path: pathname };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((fn) => fn()));

export function navigate(path: string): void {
  // Keep ?test=1 and similar flags across in-app navigation.
  const url = new URL(path, window.location.origin);
  url.search = window.location.search;
  window.history.pushState(null, '', url);
  listeners.forEach((fn) => fn());
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useRoute(): Route {
  const path = useSyncExternalStore(subscribe, () => window.location.pathname);
  return matchRoute(path);
}

export function roomLink(roomId: string): string {
  return `${window.location.origin}/r/${encodeURIComponent(roomId)}`;
}
