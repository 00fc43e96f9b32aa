import { describe, expect, it } from 'vitest';
import { candidateType, connectIssueMessage, diagnoseConnectFailure, hasTurnServer } from './connectIssue';

describe('connect issue diagnosis', () => {
  it('knows TURN servers and candidate types', () => {
    expect(hasTurnServer([{ urls: 'stun:s:3478' }])).toBe(false);
    expect(hasTurnServer([{ urls: ['stun:s:3478', 'turn:t:3478?transport=udp'] }])).toBe(true);
    expect(candidateType('candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0')).toBe('host');
    expect(candidateType('candidate:2 1 udp 41885439 127.0.0.1 50010 typ relay raddr 0.0.0.0 rport 0')).toBe('relay');
  });

  it('blames the relay when TURN is configured but gave no relay candidate', () => {
    const issue = diagnoseConnectFailure({ turnConfigured: true, relayCandidates: 0, turnErrors: ['401 Unauthorized'] });
    expect(issue).toEqual({ kind: 'turn-unreachable', detail: '401 Unauthorized' });
    expect(connectIssueMessage(issue, 'Bob')).toMatch(/Can’t connect to Bob: the relay \(TURN\) server.*\(401 Unauthorized\)\./);
    // Chromium's errorText ends in a period of its own.
    expect(connectIssueMessage({ kind: 'turn-unreachable', detail: '401 Unauthorized.' }, 'Bob')).toContain('(401 Unauthorized).');
  });

  it('says when there is no relay at all, or when the relay works but the path does not', () => {
    expect(diagnoseConnectFailure({ turnConfigured: false, relayCandidates: 0, turnErrors: [] }).kind).toBe('no-relay');
    expect(diagnoseConnectFailure({ turnConfigured: true, relayCandidates: 2, turnErrors: [] }).kind).toBe('no-route');
  });
});
