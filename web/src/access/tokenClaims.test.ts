import { describe, expect, it } from 'vitest';
import { tokenDisplayName } from './tokenClaims';

// An unsigned-looking JWT with these claims: the page only reads the payload.
function token(claims: unknown): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('the name a room token fixes', () => {
  it('is the name claim, trimmed as the server trims it', () => {
    expect(tokenDisplayName(token({ room: 'standup', exp: 1, name: 'Zoë 🎧' }))).toBe('Zoë 🎧');
    expect(tokenDisplayName(token({ room: 'standup', exp: 1, name: '  Bob ' }))).toBe('Bob');
  });

  it('is none without a token, without a name claim, with a blank or non-string one, or when unreadable', () => {
    expect(tokenDisplayName(null)).toBeNull();
    expect(tokenDisplayName(token({ room: 'standup', exp: 1 }))).toBeNull();
    expect(tokenDisplayName(token({ room: 'standup', exp: 1, name: '   ' }))).toBeNull();
    expect(tokenDisplayName(token({ room: 'standup', exp: 1, name: 42 }))).toBeNull();
    expect(tokenDisplayName('not-a-jwt')).toBeNull();
  });
});
