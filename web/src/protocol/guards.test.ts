import { describe, expect, it } from 'vitest';
import { isPeerUnreachable, parseIceServersResponse, parseServerMessage } from './guards';

const p = (v: unknown) => parseServerMessage(JSON.stringify(v));

describe('parseServerMessage', () => {
  it('accepts a full room-joined', () => {
    const m = p({
      type: 'room-joined',
      roomId: 'r-1',
      peerId: 'me',
      data: {
        peers: [{ peerId: 'p1', name: 'Ada', media: { audio: false, video: true, screen: false } }],
        resumeToken: 'tok',
        iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: 'turn:x', username: 'u', credential: 'c' }],
      },
      timestamp: 1,
    });
    expect(m).toEqual({
      type: 'room-joined',
      roomId: 'r-1',
      peerId: 'me',
      data: {
        peers: [{ peerId: 'p1', name: 'Ada', media: { audio: false, video: true, screen: false } }],
        resumeToken: 'tok',
        iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: 'turn:x', username: 'u', credential: 'c' }],
      },
      mode: 'mesh',
      timestamp: 1,
    });
  });

  it('defaults a peer without media to audio+video on', () => {
    const m = p({ type: 'room-joined', peerId: 'me', data: { peers: [{ peerId: 'p1', name: 'A' }] } });
    expect(m?.type === 'room-joined' && m.data.peers[0]?.media).toEqual({ audio: true, video: true, screen: false });
  });

  it.each([
    ['not json', '{'],
    ['array', '[]'],
    ['no type', '{}'],
    ['unknown type', '{"type":"dance"}'],
    ['room-joined without peerId', '{"type":"room-joined","data":{"peers":[]}}'],
    ['room-joined with a bad peer', '{"type":"room-joined","peerId":"x","data":{"peers":[{"name":"a"}]}}'],
    ['offer without sdp', '{"type":"offer","peerId":"x","data":{"type":"offer"}}'],
    ['offer with wrong data.type', '{"type":"offer","peerId":"x","data":{"type":"answer","sdp":"v=0"}}'],
    ['candidate not a string', '{"type":"ice-candidate","peerId":"x","data":{"candidate":5}}'],
    ['candidate with fractional index', '{"type":"ice-candidate","peerId":"x","data":{"candidate":"c","sdpMLineIndex":0.5}}'],
    ['media-state missing screen', '{"type":"media-state","peerId":"x","data":{"audio":true,"video":true}}'],
    ['media-state with a string', '{"type":"media-state","peerId":"x","data":{"audio":"yes","video":true,"screen":false}}'],
    ['peer-left without peerId', '{"type":"peer-left"}'],
  ])('rejects %s', (_name, text) => {
    expect(parseServerMessage(text)).toBeNull();
  });

  it('accepts relayed messages and errors', () => {
    expect(p({ type: 'answer', peerId: 'x', data: { type: 'answer', sdp: 'v=0\r\n' } })).toMatchObject({ type: 'answer', peerId: 'x' });
    expect(p({ type: 'ice-candidate', peerId: 'x', data: { candidate: 'c' } })).toMatchObject({ data: { candidate: 'c', sdpMid: null, sdpMLineIndex: null } });
    expect(p({ type: 'media-state', peerId: 'x', data: { audio: false, video: true, screen: false } })).toMatchObject({ data: { audio: false } });
    expect(p({ type: 'error', code: 'room-full', error: 'room is full' })).toMatchObject({ code: 'room-full', error: 'room is full' });
    expect(p({ type: 'peer-joined', peerId: 'x', data: { name: 'Bo' } })).toEqual({ type: 'peer-joined', peerId: 'x', data: { name: 'Bo' }, timestamp: undefined });
    expect(p({ type: 'peer-joined', peerId: 'x', data: { name: 'Bo', media: { audio: false, video: true, screen: false } } })).toMatchObject({
      data: { media: { audio: false, video: true, screen: false } },
    });
    expect(p({ type: 'pong' })).toMatchObject({ type: 'pong' });
  });

  it('keeps the target of peer-unreachable, and recognises it', () => {
    const refused = p({ type: 'error', code: 'peer-unreachable', targetId: 'p2', error: 'could not be reached' });
    expect(refused).toEqual({ type: 'error', code: 'peer-unreachable', targetId: 'p2', error: 'could not be reached', timestamp: undefined });
    expect(isPeerUnreachable(refused!)).toBe(true);
    expect(isPeerUnreachable(p({ type: 'error', code: 'peer-unreachable', error: 'no target' })!)).toBe(false);
    expect(isPeerUnreachable(p({ type: 'error', code: 'peer-not-found', targetId: 'p2', error: 'gone' })!)).toBe(false);
    expect(p({ type: 'error', code: 'peer-unreachable', targetId: 7, error: 'x' })).not.toHaveProperty('targetId');
  });

  it('keeps the hand and recording flags of media-state and drops unknown ones', () => {
    expect(p({ type: 'media-state', peerId: 'x', data: { audio: true, video: true, screen: false, hand: true, recording: false, other: true } })).toEqual({
      type: 'media-state',
      peerId: 'x',
      data: { audio: true, video: true, screen: false, hand: true, recording: false },
      timestamp: undefined,
    });
    expect(p({ type: 'media-state', peerId: 'x', data: { audio: true, video: true, screen: false, hand: 'yes' } })).toEqual({
      type: 'media-state',
      peerId: 'x',
      data: { audio: true, video: true, screen: false },
      timestamp: undefined,
    });
  });
});

describe('parseServerMessage: rooms on the media server', () => {
  it('reads the room mode of room-joined (mesh when a server says nothing) and of room-mode', () => {
    expect(p({ type: 'room-joined', peerId: 'me', mode: 'sfu', data: { peers: [] } })).toMatchObject({ mode: 'sfu' });
    expect(p({ type: 'room-joined', peerId: 'me', data: { peers: [], mode: 'sfu' } })).toMatchObject({ mode: 'sfu' });
    expect(p({ type: 'room-joined', peerId: 'me', data: { peers: [] } })).toMatchObject({ mode: 'mesh' });
    expect(p({ type: 'room-mode', mode: 'mesh', timestamp: 5 })).toEqual({ type: 'room-mode', mode: 'mesh', timestamp: 5 });
  });

  it('keeps the forwarded tracks of sfu-answer and sfu-tracks, and only their known fields', () => {
    expect(p({ type: 'sfu-answer', sdp: 'v=0\r\n', tracks: [{ mid: '3', peerId: 'bo', source: 'camera', ssrc: 1 }] })).toEqual({
      type: 'sfu-answer',
      sdp: 'v=0\r\n',
      tracks: [{ mid: '3', peerId: 'bo', source: 'camera' }],
      timestamp: undefined,
    });
    expect(p({ type: 'sfu-answer', sdp: 'v=0\r\n' })).toMatchObject({ tracks: [] });
    expect(p({ type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'cy', source: 'screen' }] })).toEqual({
      type: 'sfu-tracks',
      tracks: [{ peerId: 'bo', source: 'microphone' }, { peerId: 'cy', source: 'screen' }],
      timestamp: undefined,
    });
    expect(p({ type: 'sfu-tracks', tracks: [] })).toMatchObject({ tracks: [] });
    expect(p({ type: 'sfu-closed', reason: 'consentLost' })).toEqual({ type: 'sfu-closed', reason: 'consentLost', timestamp: undefined });
  });

  it('takes chat text as plain text from its sender, cut to the chat limit', () => {
    expect(p({ type: 'chat', from: 'bo', text: '<b>hi</b>' })).toEqual({ type: 'chat', from: 'bo', text: '<b>hi</b>', timestamp: undefined });
    expect(p({ type: 'chat', peerId: 'bo', text: 'hi' })).toMatchObject({ from: 'bo' });
    const long = p({ type: 'chat', from: 'bo', text: 'x'.repeat(5000) });
    expect(long?.type === 'chat' && long.text.length).toBe(2000);
  });

  it.each([
    ['room-joined with an unknown mode', { type: 'room-joined', peerId: 'me', mode: 'p2p', data: { peers: [] } }],
    ['room-mode without a mode', { type: 'room-mode' }],
    ['room-mode with an unknown mode', { type: 'room-mode', mode: 'hybrid' }],
    ['sfu-answer without sdp', { type: 'sfu-answer', tracks: [] }],
    ['sfu-answer whose sdp is not an SDP', { type: 'sfu-answer', sdp: 'hello', tracks: [] }],
    ['sfu-answer with sdp inside data only', { type: 'sfu-answer', data: { sdp: 'v=0' }, tracks: [] }],
    ['sfu-answer with a track without mid', { type: 'sfu-answer', sdp: 'v=0', tracks: [{ peerId: 'bo', source: 'camera' }] }],
    ['sfu-answer with tracks not a list', { type: 'sfu-answer', sdp: 'v=0', tracks: { mid: '1' } }],
    ['sfu-tracks without tracks', { type: 'sfu-tracks' }],
    ['sfu-tracks with an unknown source', { type: 'sfu-tracks', tracks: [{ peerId: 'bo', source: 'hologram' }] }],
    ['sfu-tracks with a track without peerId', { type: 'sfu-tracks', tracks: [{ source: 'camera' }] }],
    ['chat without sender', { type: 'chat', text: 'hi' }],
    ['chat with blank text', { type: 'chat', from: 'bo', text: '  ' }],
    ['chat with text not a string', { type: 'chat', from: 'bo', text: { html: '<b>' } }],
  ])('rejects %s', (_name, msg) => {
    expect(p(msg)).toBeNull();
  });
});

describe('parseIceServersResponse', () => {
  it('accepts the /ice-servers body and copies only what RTCIceServer needs', () => {
    const turn = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000060:abc', credential: 'c2VjcmV0', extra: 1 };
    expect(parseIceServersResponse({ iceServers: [{ urls: 'stun:s:1' }, turn], iceTransportPolicy: 'all' })).toEqual({
      iceServers: [{ urls: 'stun:s:1' }, { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000060:abc', credential: 'c2VjcmV0' }],
      iceTransportPolicy: 'all',
    });
    expect(parseIceServersResponse({ iceServers: [] })).toEqual({ iceServers: [] });
    expect(parseIceServersResponse({ iceServers: [], iceTransportPolicy: 'carrier-pigeon' })).toEqual({ iceServers: [] });
  });

  it('rejects anything outside the contract', () => {
    for (const bad of [null, 'x', [], {}, { iceServers: 'stun:s:1' }, { iceServers: [{ urls: 1 }] }, { iceServers: [{ urls: 'turn:t', username: 5 }] }, { iceServers: [{ urls: ['turn:t', null] }] }, { iceServers: [null] }]) {
      expect(parseIceServersResponse(bad)).toBeNull();
    }
  });
});
