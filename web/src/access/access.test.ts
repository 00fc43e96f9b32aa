import { describe, expect, it } from 'vitest';
import { diagnoseRefusal, isAccessRefusalCode, refusalMessage, type FetchLike } from './accessRefusal';
import { readLinkOptions, withToken } from './linkOptions';
import { signalingUrl } from '../signaling/SignalingClient';

describe('room link options', () => {
  it('reads ?token= and ?relay=1', () => {
    expect(readLinkOptions('?token=abc.def.ghi&relay=1')).toEqual({ token: 'abc.def.ghi', forceRelay: true });
    expect(readLinkOptions('?test=1')).toEqual({ token: null, forceRelay: false });
    expect(readLinkOptions('?token=&relay=0')).toEqual({ token: null, forceRelay: false });
  });

  it('carries the token into the socket url, encoded', () => {
    expect(signalingUrl({ protocol: 'https:', host: 'meet.example' }, 'a.b+c')).toBe('wss://meet.example/ws?token=a.b%2Bc');
    expect(signalingUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(withToken('/ice-servers?x=1', 't')).toBe('/ice-servers?x=1&token=t');
  });
});

describe('access refusal diagnosis', () => {
  const answering =
    (status: number, body: unknown): FetchLike =>
    (url) => {
      answering.lastUrl = url;
      return Promise.resolve({ status, json: () => Promise.resolve(body) });
    };
  answering.lastUrl = '';

  it('asks /ice-servers with the same token and returns the code of a 401', async () => {
    expect(await diagnoseRefusal(answering(401, { error: 'x', code: 'token-expired' }), 'tok')).toBe('token-expired');
    expect(answering.lastUrl).toBe('/ice-servers?token=tok');
    expect(await diagnoseRefusal(answering(401, { code: 'something-new' }), 'tok')).toBe('token-invalid');
  });

  it('returns null when the server lets the token through or cannot be reached', async () => {
    expect(await diagnoseRefusal(answering(200, { iceServers: [] }), 'tok')).toBeNull();
    expect(await diagnoseRefusal(() => Promise.reject(new Error('offline')), null)).toBeNull();
  });

  it('has a specific message for each refusal', () => {
    expect(isAccessRefusalCode('forbidden-room')).toBe(true);
    expect(isAccessRefusalCode('room-full')).toBe(false);
    expect(refusalMessage('token-expired', 'r1').title).toMatch(/expired/);
    expect(refusalMessage('forbidden-room', 'standup').title).toContain('standup');
    expect(refusalMessage('token-missing', 'r1').title).toMatch(/invitation link/);
  });
});
