import { describe, expect, it } from 'vitest';
import { inviteLink, isShareableToken } from './inviteLink';

// An unsigned-looking JWT with these claims: the client only reads the payload, so the header and
// signature parts just need to be there.
function token(claims: unknown): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const room = 'https://meet.example/r/standup';

describe('invite link', () => {
  it('is the bare room link when the page had no token', () => {
    expect(inviteLink(room, 'standup', null)).toEqual({ link: room, personalTokenWithheld: false });
    expect(inviteLink(room, 'standup', '')).toEqual({ link: room, personalTokenWithheld: false });
  });

  it('carries a room token that names nobody', () => {
    const t = token({ room: 'standup', exp: 2000000000 });
    expect(inviteLink(room, 'standup', t)).toEqual({ link: `${room}?token=${t}`, personalTokenWithheld: false });
    // Blank names mean "use the name the client sends", as on the server.
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: '' }), 'standup')).toBe(true);
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: '   ' }), 'standup')).toBe(true);
  });

  it('withholds a token with a name claim', () => {
    expect(inviteLink(room, 'standup', token({ room: 'standup', exp: 2000000000, name: 'Alice' }))).toEqual({ link: room, personalTokenWithheld: true });
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: 'Zoë 🎧' }), 'standup')).toBe(false);
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: ' Bob ' }), 'standup')).toBe(false);
    // The server refuses a non-string name, but sharing it would not help the invitee either.
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: 42 }), 'standup')).toBe(false);
    expect(isShareableToken(token({ room: 'standup', exp: 1, name: null }), 'standup')).toBe(false);
  });

  it('withholds a token it cannot read', () => {
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const raw = (payload: string) => `${header}.${Buffer.from(payload).toString('base64url')}.sig`;
    for (const bad of [
      'not-a-jwt',
      'a.b',
      `${header}..sig`,
      `${header}.%%%.sig`,
      `${header}.e30=.sig`, // padded base64: not base64url
      `${header}.eyJ.sig`, // truncated JSON
      `${header}.${token({}).split('.')[1] ?? ''}.sig.extra`,
      raw('not json'),
      raw('["room"]'),
      raw('null'),
      raw('"standup"'),
      `${header}.${Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url')}.sig`, // {"\xff":1}, not UTF-8
    ]) {
      expect(inviteLink(room, 'standup', bad), bad).toEqual({ link: room, personalTokenWithheld: true });
    }
    expect(isShareableToken(raw('{"room":"standup"}'), 'standup')).toBe(true); // readable, names nobody: the server judges the rest
  });

  it('withholds a token that opens every room, or another room', () => {
    expect(inviteLink(room, 'standup', token({ room: '*', exp: 2000000000 }))).toEqual({ link: room, personalTokenWithheld: true });
    expect(isShareableToken(token({ room: 'retro', exp: 1 }), 'standup')).toBe(false);
    expect(isShareableToken(token({ exp: 1 }), 'standup')).toBe(false);
  });

  it('appends the token to a link that already has a query string, encoded', () => {
    const t = token({ room: 'standup', exp: 2000000000 });
    expect(inviteLink(`${room}?lang=en`, 'standup', t).link).toBe(`${room}?lang=en&token=${t}`);
    // Only the payload is read, so a token with odd characters elsewhere is still shared, and
    // must reach the server exactly as the page got it.
    const odd = `${t}+x&y`;
    const link = inviteLink(`${room}?lang=en`, 'standup', odd).link;
    expect(link).toBe(`${room}?lang=en&token=${t}%2Bx%26y`);
    expect(new URL(link).searchParams.get('token')).toBe(odd);
  });
});
