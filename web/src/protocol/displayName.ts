// Display names as everyone sees them: the server's rule (server/src/signaling/DisplayName.cpp),
// applied here too, before a name is sent and whenever one arrives. Control characters (C0, DEL,
// C1 such as U+0085 NEXT LINE) and the bidirectional embeddings, overrides and isolates
// (U+202A-U+202E, U+2066-U+2069) are dropped: "Mallory\u202Egnp.exe" would otherwise draw as
// "Malloryexe.png", and a right-to-left override left open in a name reverses the text drawn
// after it. U+2028/U+2029 (line and paragraph separators) go too. Then the name is trimmed and
// held to 64 characters (code points, as the server counts).

export const MAX_NAME_CHARS = 64;

function isStripped(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029
  );
}

/** `name` without control and bidi-override characters, trimmed, at most 64 code points. */
export function sanitizeDisplayName(name: string): string {
  const kept = Array.from(name).filter((c) => !isStripped(c.codePointAt(0) ?? 0));
  const trimmed = kept.join('').trim();
  const chars = Array.from(trimmed);
  return chars.length <= MAX_NAME_CHARS ? trimmed : chars.slice(0, MAX_NAME_CHARS).join('').trimEnd();
}
