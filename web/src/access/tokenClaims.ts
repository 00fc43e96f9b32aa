// What a room token says, read on the page without verifying it (the server verifies): for the
// invite link (does the token name its holder?) and the lobby (the name the server will use).
import { sanitizeDisplayName } from '../protocol/displayName';

/** The JWT payload as an object, or null when `token` is not a compact JWT with a JSON-object payload. */
export function readClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const payload = parts[1] ?? '';
  // atob would also accept `+`, `/`, padding and whitespace; a JWT uses none of them.
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  try {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return parsed as Record<string, unknown>;
  } catch {
    return null; // not base64, not UTF-8 or not JSON
  }
}

/**
 * The display name a room token fixes (its `name` claim, as the server cleans it), or null when
 * it fixes none: then the name typed in the lobby is used (docs/protocol.md, "Access").
 */
export function tokenDisplayName(token: string | null): string | null {
  if (!token) return null;
  const name = readClaims(token)?.name;
  if (typeof name !== 'string') return null;
  return sanitizeDisplayName(name) || null;
}
