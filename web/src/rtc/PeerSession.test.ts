import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionDescriptionData } from '../protocol/messages';
import { FakePeerConnection, fakeTrack, settle } from '../test/fakes';
import type { PeerConnectionLike } from './peerConnectionLike';
import { PeerSession, isPolite, type OutgoingSignal, type PeerSessionOptions } from './PeerSession';

interface Wired {
  a: PeerSession;
  b: PeerSession;
  pcA: FakePeerConnection;
  pcB: FakePeerConnection;
  sentByA: OutgoingSignal[];
  sentByB: OutgoingSignal[];
}

function session(localId: string, remoteId: string, initiator: boolean, signal: (s: OutgoingSignal) => void, extra: Partial<PeerSessionOptions> = {}): PeerSession {
  return new PeerSession({
    localId,
    remoteId,
    initiator,
    iceServers: [],
    local: { audio: fakeTrack('audio'), video: fakeTrack('video'), stream: null },
    createPeerConnection: (cfg) => new FakePeerConnection(cfg),
    signal,
    ...extra,
  });
}

/** Two sessions wired back to back through an asynchronous "server". */
function wire(idA: string, idB: string, aIsInitiator = true): Wired {
  const sentByA: OutgoingSignal[] = [];
  const sentByB: OutgoingSignal[] = [];
  const deliver = (to: () => PeerSession, s: OutgoingSignal) =>
    setTimeout(() => {
      if (s.kind === 'description') void to().handleDescription(s.description);
      else void to().handleCandidate(s.candidate);
    }, 0);
  // eslint-disable-next-line prefer-const
  let b: PeerSession;
  const a = session(idA, idB, aIsInitiator, (s) => {
    sentByA.push(s);
    deliver(() => b, s);
  });
  b = session(idB, idA, !aIsInitiator, (s) => {
    sentByB.push(s);
    deliver(() => a, s);
  });
  return { a, b, pcA: a.pc as FakePeerConnection, pcB: b.pc as FakePeerConnection, sentByA, sentByB };
}

const descs = (xs: OutgoingSignal[], type: 'offer' | 'answer') =>
  xs.filter((s): s is Extract<OutgoingSignal, { kind: 'description' }> => s.kind === 'description' && s.description.type === type);

beforeEach(() => {
  FakePeerConnection.instances = [];
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('isPolite', () => {
  it('is the peer with the smaller id (string comparison)', () => {
    expect(isPolite('a1', 'b2')).toBe(true);
    expect(isPolite('b2', 'a1')).toBe(false);
    // string, not numeric comparison
    expect(isPolite('10', '9')).toBe(true);
  });
});

describe('PeerSession initial negotiation', () => {
  it('initiator offers, the newcomer only answers', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle();
    expect(descs(w.sentByA, 'offer')).toHaveLength(1);
    expect(descs(w.sentByB, 'offer')).toHaveLength(0);
    expect(descs(w.sentByB, 'answer')).toHaveLength(1);
    expect(w.pcA.signalingState).toBe('stable');
    expect(w.pcB.signalingState).toBe('stable');
  });

  it('the answerer sends its local tracks on the transceivers the offer created', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle();
    const kinds = w.pcB.transceivers.map((t) => [t.receiver.track.kind, t.direction, t.sender.track?.kind]);
    expect(kinds).toEqual([
      ['audio', 'sendrecv', 'audio'],
      ['video', 'sendrecv', 'video'],
    ]);
  });

  it('works the same when the newcomer has the smaller id (polite initiator)', async () => {
    const w = wire('zzz', 'aaa', true);
    await settle();
    expect(descs(w.sentByB, 'offer')).toHaveLength(0);
    expect(w.pcA.signalingState).toBe('stable');
    expect(w.pcB.signalingState).toBe('stable');
  });
});

describe('PeerSession perfect negotiation (glare)', () => {
  it.each([
    ['initiator is impolite', 'bbb', 'aaa'],
    ['initiator is polite', 'aaa', 'bbb'],
  ])('both sides renegotiate at once, %s: polite rolls back, impolite ignores, both end stable', async (_l, idA, idB) => {
    const w = wire(idA, idB, true);
    await settle();
    // Both restart ICE in the same tick: two offers cross on the wire.
    w.pcA.restartIce();
    w.pcB.restartIce();
    await settle(40);
    const polite = w.a.polite ? w.a : w.b;
    const impolite = w.a.polite ? w.b : w.a;
    const politePc = polite.pc as FakePeerConnection;
    expect(polite.polite).toBe(true);
    expect(impolite.counters.ignoredOffers).toBe(1);
    expect(politePc.rollbacks).toBe(1);
    expect(w.pcA.signalingState).toBe('stable');
    expect(w.pcB.signalingState).toBe('stable');
    // And the polite side's own renegotiation still happens afterwards.
    const politeOffers = descs(polite === w.a ? w.sentByA : w.sentByB, 'offer');
    expect(politeOffers.length).toBeGreaterThanOrEqual(1);
  });
});

describe('PeerSession candidates and stale messages', () => {
  it('queues candidates that arrive before the remote description and adds them after it', async () => {
    const sent: OutgoingSignal[] = [];
    const s = session('bbb', 'aaa', false, (x) => sent.push(x));
    const pc = s.pc as FakePeerConnection;
    await s.handleCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    await s.handleCandidate({ candidate: 'candidate:2 1 udp 1 127.0.0.1 5001 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    expect(s.counters.queuedCandidates).toBe(2);
    expect(pc.addedCandidates).toHaveLength(0);

    const offerer = new FakePeerConnection({});
    offerer.addTransceiver('audio');
    await offerer.setLocalDescription();
    await s.handleDescription({ type: 'offer', sdp: offerer.localDescription!.sdp });
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual([
      'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
      'candidate:2 1 udp 1 127.0.0.1 5001 typ host',
    ]);
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('ignores an answer when no offer is outstanding (stale) without touching the connection', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle();
    const before = w.pcA.remoteDescriptionsSet.length;
    const stale: SessionDescriptionData = { type: 'answer', sdp: 'v=0\r\na=fingerprint:old\r\n' };
    await expect(w.a.handleDescription(stale)).resolves.toBeUndefined();
    expect(w.a.counters.staleAnswers).toBe(1);
    expect(w.pcA.remoteDescriptionsSet.length).toBe(before);
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('lets end-to-end encryption forget its receivers before the connection closes', () => {
    const detached: Array<{ pc: unknown; open: boolean }> = [];
    const e2ee = {
      attach: () => undefined,
      detach: (pc: PeerConnectionLike) => detached.push({ pc, open: !(pc as unknown as FakePeerConnection).closed }),
      mapReceiver: () => undefined,
      withholds: () => false,
    };
    const s = session('aaa', 'bbb', true, () => undefined, { e2ee });
    s.close();
    expect(detached).toEqual([{ pc: s.pc, open: true }]);
  });

  it('ignores everything after close without errors', async () => {
    const s = session('aaa', 'bbb', true, () => undefined);
    s.close();
    await expect(s.handleDescription({ type: 'answer', sdp: 'v=0\r\n' })).resolves.toBeUndefined();
    await expect(s.handleCandidate({ candidate: 'x', sdpMid: '0', sdpMLineIndex: 0 })).resolves.toBeUndefined();
    expect((s.pc as FakePeerConnection).closed).toBe(true);
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('sends its own ICE candidates to the remote', () => {
    const sent: OutgoingSignal[] = [];
    const s = session('aaa', 'bbb', true, (x) => sent.push(x));
    (s.pc as FakePeerConnection).emitCandidate('candidate:9 1 udp 1 127.0.0.1 9 typ host');
    expect(sent).toContainEqual({ kind: 'candidate', candidate: { candidate: 'candidate:9 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  });

  it('never sends an end-of-candidates: neither the null event nor an empty candidate', () => {
    const sent: OutgoingSignal[] = [];
    const s = session('aaa', 'bbb', true, (x) => sent.push(x));
    const pc = s.pc as FakePeerConnection;
    pc.emitCandidate(''); // what some browsers fire per m-line when gathering ends
    pc.onicecandidate?.({ candidate: null });
    expect(sent.filter((x) => x.kind === 'candidate')).toEqual([]);
  });

  it('recognises an offer from a rebuilt remote connection by its fingerprint', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle();
    const same = w.pcA.localDescription!.sdp;
    expect(w.b.isFromNewRemoteConnection(same)).toBe(false);
    const other = new FakePeerConnection({});
    other.addTransceiver('audio');
    await other.setLocalDescription();
    expect(w.b.isFromNewRemoteConnection(other.localDescription!.sdp)).toBe(true);
  });
});

describe('PeerSession track switching', () => {
  it('replaceTrack swaps the sender track without renegotiating', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle();
    const offersBefore = descs(w.sentByA, 'offer').length;
    const cam2 = fakeTrack('video', 'cam2');
    await w.a.replaceTrack('video', cam2);
    await settle();
    const video = w.pcA.transceivers.find((t) => t.receiver.track.kind === 'video')!;
    expect(video.sender.track).toBe(cam2);
    expect(descs(w.sentByA, 'offer').length).toBe(offersBefore);
  });
});

describe('PeerSession ICE failure handling', () => {
  function manualTimers() {
    const pending: Array<{ fn: () => void; ms: number }> = [];
    return {
      pending,
      timers: {
        setTimeout: (fn: () => void, ms: number) => {
          const h = { fn, ms };
          pending.push(h);
          return h;
        },
        clearTimeout: (h: unknown) => {
          const i = pending.indexOf(h as { fn: () => void; ms: number });
          if (i >= 0) pending.splice(i, 1);
        },
      },
      fire() {
        const all = pending.splice(0);
        all.forEach((h) => h.fn());
      },
    };
  }

  it('restarts ICE on "failed", then asks for a rebuild if still failed (impolite side only)', async () => {
    const mt = manualTimers();
    const rebuild = vi.fn();
    const s = session('bbb', 'aaa', true, () => undefined, { timers: mt.timers, onNeedsRebuild: rebuild, iceRestartTimeoutMs: 10_000 });
    expect(s.polite).toBe(false);
    const pc = s.pc as FakePeerConnection;
    pc.setConnectionState('failed');
    expect(pc.restartIceCalls).toBe(1);
    expect(rebuild).not.toHaveBeenCalled();
    expect(mt.pending[0]?.ms).toBe(10_000);
    mt.fire();
    expect(rebuild).toHaveBeenCalledTimes(1);
  });

  it('does not rebuild when the ICE restart succeeded', () => {
    const mt = manualTimers();
    const rebuild = vi.fn();
    const s = session('bbb', 'aaa', true, () => undefined, { timers: mt.timers, onNeedsRebuild: rebuild });
    const pc = s.pc as FakePeerConnection;
    pc.setConnectionState('failed');
    pc.setConnectionState('connected');
    mt.fire();
    expect(rebuild).not.toHaveBeenCalled();
    // A later failure gets a fresh ICE restart first.
    pc.setConnectionState('failed');
    expect(pc.restartIceCalls).toBe(2);
  });

  it('failing again after the restart escalates at once; the polite side waits for the other', () => {
    const mt = manualTimers();
    const rebuildImpolite = vi.fn();
    const rebuildPolite = vi.fn();
    const imp = session('bbb', 'aaa', true, () => undefined, { timers: mt.timers, onNeedsRebuild: rebuildImpolite });
    const pol = session('aaa', 'bbb', false, () => undefined, { timers: mt.timers, onNeedsRebuild: rebuildPolite });
    for (const s of [imp, pol]) {
      const pc = s.pc as FakePeerConnection;
      pc.setConnectionState('failed');
      pc.setConnectionState('connecting');
      pc.setConnectionState('failed');
    }
    expect(rebuildImpolite).toHaveBeenCalledTimes(1);
    expect(rebuildPolite).not.toHaveBeenCalled();
  });
});

describe('PeerSession after peer-unreachable (a message to the remote was dropped by the server)', () => {
  /** Timers the test fires by hand; records each delay asked for. */
  function manualTimers() {
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const asked: number[] = [];
    return {
      pending,
      asked,
      timers: {
        setTimeout: (fn: () => void, ms: number) => {
          const h = { fn, ms };
          pending.push(h);
          asked.push(ms);
          return h;
        },
        clearTimeout: (h: unknown) => {
          const i = pending.indexOf(h as { fn: () => void; ms: number });
          if (i >= 0) pending.splice(i, 1);
        },
      },
      fire() {
        pending.splice(0).forEach((h) => h.fn());
      },
    };
  }

  /** Two sessions through a "server" that drops the messages `drop` picks. */
  function lossy(drop: (from: 'a' | 'b', s: OutgoingSignal) => boolean) {
    const mt = manualTimers();
    const sentByA: OutgoingSignal[] = [];
    const sentByB: OutgoingSignal[] = [];
    const pass = (to: () => PeerSession, s: OutgoingSignal) =>
      setTimeout(() => {
        if (s.kind === 'description') void to().handleDescription(s.description);
        else void to().handleCandidate(s.candidate);
      }, 0);
    // eslint-disable-next-line prefer-const
    let b: PeerSession;
    const a = session('bbb', 'aaa', true, (s) => {
      sentByA.push(s);
      if (!drop('a', s)) pass(() => b, s);
    }, { timers: mt.timers });
    b = session('aaa', 'bbb', false, (s) => {
      sentByB.push(s);
      if (!drop('b', s)) pass(() => a, s);
    }, { timers: mt.timers });
    return { a, b, pcA: a.pc as FakePeerConnection, pcB: b.pc as FakePeerConnection, sentByA, sentByB, mt };
  }

  it('a lost offer: the same offer goes out again after the backoff and the negotiation completes', async () => {
    let dropped = 0;
    const w = lossy((from, s) => from === 'a' && s.kind === 'description' && dropped++ === 0);
    await settle();
    expect(w.pcA.signalingState).toBe('have-local-offer');
    expect(w.pcB.remoteDescription).toBeNull();
    expect(w.a.handleUnreachable()).toBe(true);
    expect(w.a.handleUnreachable()).toBe(true); // the offer's candidates were refused too: one repair
    expect(w.mt.pending.map((h) => h.ms)).toEqual([1_000]);
    await settle();
    expect(descs(w.sentByA, 'offer')).toHaveLength(1); // nothing before the delay
    w.mt.fire();
    await settle();
    const offers = descs(w.sentByA, 'offer');
    expect(offers).toHaveLength(2);
    expect(offers[1]!.description.sdp).toBe(offers[0]!.description.sdp);
    expect(w.pcA.signalingState).toBe('stable');
    expect(w.pcB.signalingState).toBe('stable');
    expect(w.a.counters.unreachableRepairs).toBe(1);
  });

  it('a lost answer: the answerer sends it again (the offerer was left waiting), then restarts ICE', async () => {
    let dropped = 0;
    const w = lossy((from, s) => from === 'b' && s.kind === 'description' && dropped++ === 0);
    await settle();
    expect(w.pcA.signalingState).toBe('have-local-offer');
    expect(w.pcB.signalingState).toBe('stable');
    w.b.handleUnreachable();
    w.mt.fire();
    await settle(40);
    const answers = descs(w.sentByB, 'answer');
    expect(answers[1]!.description.sdp).toBe(answers[0]!.description.sdp);
    // Not connected yet: fresh candidates through a new offer, which A answers.
    expect(w.pcB.restartIceCalls).toBe(1);
    expect(descs(w.sentByB, 'offer')).toHaveLength(1);
    expect(w.pcA.signalingState).toBe('stable');
    expect(w.pcB.signalingState).toBe('stable');
  });

  it('when connected and nothing is pending, there is nothing to re-send', async () => {
    const w = lossy(() => false);
    await settle();
    w.pcA.setConnectionState('connected');
    const before = w.sentByA.length;
    w.a.handleUnreachable(); // a trickled candidate after the connection came up
    w.mt.fire();
    await settle();
    expect(w.sentByA).toHaveLength(before);
    expect(w.pcA.restartIceCalls).toBe(0);
  });

  it('backs off 1, 2, 4, 8, 16 s and then gives up; being connected starts the count afresh', async () => {
    const w = lossy(() => false);
    await settle();
    for (let i = 0; i < 5; i++) {
      expect(w.a.handleUnreachable()).toBe(true);
      w.mt.fire();
      await settle();
    }
    expect(w.a.handleUnreachable()).toBe(false);
    expect(w.mt.pending).toHaveLength(0);
    expect(w.mt.asked.filter((ms) => ms !== 20_000)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    w.pcA.setConnectionState('connected');
    expect(w.a.handleUnreachable()).toBe(true);
  });

  it('close cancels a pending repair', async () => {
    const w = lossy(() => false);
    await settle();
    w.a.handleUnreachable();
    w.a.close();
    expect(w.mt.pending.filter((h) => h.ms === 1_000)).toHaveLength(0);
    expect(w.a.handleUnreachable()).toBe(false);
  });
});

/** An answer as an outside client (e.g. GStreamer's webrtcbin) writes it, with the DTLS role it picked. */
function outsideAnswer(role: 'active' | 'passive', data = true): SessionDescriptionData {
  const sections = ['m=audio', 'm=video', ...(data ? ['m=application'] : [])].join('\r\n');
  return { type: 'answer', sdp: `v=0\r\no=- 1 answer\r\na=fingerprint:sha-256 OU:TS:1D:E0\r\na=setup:${role}\r\n${sections}\r\n` };
}

/** An outside client's offer: audio and video only, no data channel (the original client, webrtcbin). */
async function outsideOffer(): Promise<SessionDescriptionData> {
  const outside = new FakePeerConnection({});
  outside.addTransceiver('audio');
  outside.addTransceiver('video');
  await outside.setLocalDescription();
  return { type: 'offer', sdp: outside.localDescription!.sdp };
}

describe('PeerSession with a remote that answers a re-offer with the other DTLS role (issue 16)', () => {
  it.each([
    ['the rollback works (the specification)', false, 'stable'],
    ['the rollback fails too (Chromium: the session is in error)', true, 'have-local-offer'],
  ] as const)('rolls back, asks once for a fresh connection, and never re-offers on this one; %s', async (_l, breaks, stateAfter) => {
    const sent: OutgoingSignal[] = [];
    const rejected = vi.fn();
    const s = session('bbb', 'aaa', true, (x) => sent.push(x), { onAnswerRejected: rejected });
    const pc = s.pc as FakePeerConnection;
    pc.refusedAnswerBreaksSession = breaks;
    await settle();
    expect(descs(sent, 'offer')).toHaveLength(1);
    await s.handleDescription(outsideAnswer('active'));
    expect(pc.signalingState).toBe('stable');

    // A screen share needs a re-offer, which webrtcbin answers as the other DTLS role.
    await s.setScreenTrack(fakeTrack('video', 'screen'), null);
    await settle();
    expect(descs(sent, 'offer')).toHaveLength(2);
    await s.handleDescription(outsideAnswer('passive'));
    await settle();
    expect(pc.signalingState).toBe(stateAfter);
    if (!breaks) expect(pc.localDescription?.sdp).toBe(descs(sent, 'offer')[0]!.description.sdp); // back to what was in force
    expect(s.counters.rejectedAnswers).toBe(1);
    expect(rejected).toHaveBeenCalledTimes(1);
    // The rolled-back change still "needs negotiation": this connection must not offer it again
    // (each offer would be refused the same way, as fast as the answers come back).
    await settle(40);
    expect(descs(sent, 'offer')).toHaveLength(2);
    pc.restartIce();
    await settle();
    expect(descs(sent, 'offer')).toHaveLength(2);
    expect(rejected).toHaveBeenCalledTimes(1);
  });

  it('where the rollback works, it keeps answering the remote\'s offers after a rejected answer', async () => {
    const sent: OutgoingSignal[] = [];
    const s = session('bbb', 'aaa', true, (x) => sent.push(x), { onAnswerRejected: () => undefined });
    (s.pc as FakePeerConnection).refusedAnswerBreaksSession = false;
    await settle();
    await s.handleDescription(outsideAnswer('active'));
    s.pc.restartIce();
    await settle();
    await s.handleDescription(outsideAnswer('passive'));
    await s.handleDescription(await outsideOffer());
    expect(descs(sent, 'answer')).toHaveLength(1);
    expect(s.pc.signalingState).toBe('stable');
  });
});

describe('PeerSession chat data channel (issue 16)', () => {
  it('the offerer creates the chat channel before its first offer: negotiated, id 0, label chat, ordered', async () => {
    const sent: OutgoingSignal[] = [];
    const s = session('aaa', 'bbb', true, (x) => sent.push(x));
    const pc = s.pc as FakePeerConnection;
    await settle();
    expect(pc.dataChannels.map((c) => [c.label, c.init])).toEqual([['chat', { negotiated: true, id: 0, ordered: true }]]);
    const offers = descs(sent, 'offer');
    expect(offers).toHaveLength(1);
    expect(offers[0]!.description.sdp).toMatch(/^m=application/m);
  });

  it('answering an offer without data: no re-offer for chat; the channel comes with the first message, which waits for it', async () => {
    const sent: OutgoingSignal[] = [];
    const s = session('bbb', 'aaa', false, (x) => sent.push(x));
    const pc = s.pc as FakePeerConnection;
    await s.handleDescription(await outsideOffer());
    await settle(40);
    expect(descs(sent, 'answer')).toHaveLength(1);
    expect(descs(sent, 'answer')[0]!.description.sdp).not.toMatch(/^m=application/m);
    expect(descs(sent, 'offer')).toHaveLength(0); // the old client re-offered here at once
    expect(pc.dataChannels).toHaveLength(0);

    // Someone chats: now the channel is added, with the one renegotiation that needs.
    expect(s.sendChat('{"type":"chat","text":"first"}')).toBe(true);
    expect(s.sendChat('{"type":"chat","text":"second"}')).toBe(true);
    await settle();
    const offers = descs(sent, 'offer');
    expect(offers).toHaveLength(1);
    expect(offers[0]!.description.sdp).toMatch(/^m=application/m);
    expect(pc.dataChannels.map((c) => [c.label, c.init])).toEqual([['chat', { negotiated: true, id: 0, ordered: true }]]);
    await s.handleDescription(outsideAnswer('active'));
    expect(pc.dataChannels[0]!.sent).toEqual([]);
    pc.dataChannels[0]!.open();
    expect(pc.dataChannels[0]!.sent).toEqual(['{"type":"chat","text":"first"}', '{"type":"chat","text":"second"}']);
    expect(s.sendChat('{"type":"chat","text":"third"}')).toBe(true);
    expect(pc.dataChannels[0]!.sent).toHaveLength(3);
  });

  it('an offer that carries data gets the channel on our side before the answer, so no re-offer follows', async () => {
    const w = wire('aaa', 'bbb', true);
    await settle(40);
    expect(w.pcB.dataChannels).toHaveLength(1);
    expect(descs(w.sentByB, 'answer')[0]!.description.sdp).toMatch(/^m=application/m);
    expect(descs(w.sentByB, 'offer')).toHaveLength(0);
    w.pcA.dataChannels[0]!.open();
    w.pcB.dataChannels[0]!.open();
    expect(w.b.sendChat('hi')).toBe(true);
    expect(w.pcB.dataChannels[0]!.sent).toEqual(['hi']);
  });

  it('before any offer the answerer cannot chat yet (no connection to add the channel to)', () => {
    const s = session('bbb', 'aaa', false, () => undefined);
    expect(s.sendChat('x')).toBe(false);
    expect((s.pc as FakePeerConnection).dataChannels).toHaveLength(0);
  });
});

describe('PeerSession screen share and clients that show one stream per peer (issue 16)', () => {
  const camStream = { id: 'camera-and-mic' } as unknown as MediaStream;
  const screenStream = { id: 'screen' } as unknown as MediaStream;

  it('the screen goes as a further video track in the camera\'s stream, after the camera', async () => {
    // The original client shows `ontrack`'s streams[0] per peer: a screen in a stream of its own
    // replaced our camera tile there, and our audio with it. In the camera's stream, the element
    // keeps showing the first video track (the camera) and playing the audio.
    const sent: OutgoingSignal[] = [];
    const s = session('aaa', 'bbb', true, (x) => sent.push(x), { local: { audio: fakeTrack('audio'), video: fakeTrack('video'), stream: camStream } });
    const pc = s.pc as FakePeerConnection;
    await settle();
    await s.handleDescription(outsideAnswer('active'));
    const screen = fakeTrack('video', 'screen');
    await s.setScreenTrack(screen, screenStream);
    await settle();
    expect(pc.transceivers.map((t) => [t.receiver.track.kind, t.sender.track?.id ?? null, t.streams])).toEqual([
      ['audio', expect.any(String), [camStream]],
      ['video', expect.any(String), [camStream]],
      ['video', 'screen', [camStream]],
    ]);
    expect(descs(sent, 'offer')).toHaveLength(2);
  });

  it('an answerer that is sharing when the offer comes adds the screen after the offer\'s camera, not in its place', async () => {
    const sent: OutgoingSignal[] = [];
    const camera = fakeTrack('video', 'camera');
    const roles: string[] = [];
    const s = session('bbb', 'aaa', false, (x) => sent.push(x), {
      local: { audio: fakeTrack('audio'), video: camera, stream: camStream },
      onRemoteTrack: (_t, role) => roles.push(role),
    });
    const pc = s.pc as FakePeerConnection;
    const screen = fakeTrack('video', 'screen');
    await s.setScreenTrack(screen, screenStream);
    await s.handleDescription(await outsideOffer());
    await settle();
    expect(pc.transceivers.map((t) => [t.receiver.track.kind, t.sender.track?.id ?? null, t.direction])).toEqual([
      ['audio', expect.any(String), 'sendrecv'],
      ['video', 'camera', 'sendrecv'],
      ['video', 'screen', 'sendonly'],
    ]);
    expect(roles).toEqual(['audio', 'camera']);
    expect(descs(sent, 'answer')).toHaveLength(1);
    expect(descs(sent, 'offer')).toHaveLength(1); // the screen's own renegotiation, after the answer
  });
});
