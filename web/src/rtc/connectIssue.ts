// Why a peer connection could not be established, for the message the call shows next to that
// participant. About one call in five needs a TURN relay; when the relay is unreachable (or
// refuses our credentials) the call silently never connects unless we say so.

export type ConnectIssueKind =
  | 'turn-unreachable' // TURN configured (or required), but we got no relay candidate from it
  | 'no-relay' // no TURN server configured, and a direct path does not work
  | 'no-route'; // we have a relay candidate, yet no pair works (the other side's problem?)

export interface ConnectIssue {
  kind: ConnectIssueKind;
  /** The TURN server's own words when it sent any (e.g. "401 Unauthorized"). */
  detail: string | null;
}

export interface IceEvidence {
  /** The ICE servers include at least one turn:/turns: URL. */
  turnConfigured: boolean;
  /** Relay candidates this side gathered. */
  relayCandidates: number;
  /** icecandidateerror events from turn: URLs, as "code text". */
  turnErrors: string[];
}

export function isTurnUrl(url: string): boolean {
  return url.startsWith('turn:') || url.startsWith('turns:');
}

export function hasTurnServer(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls).some(isTurnUrl));
}

/** The candidate type ("host", "srflx", "relay", ...) of an a=candidate line. */
export function candidateType(candidate: string): string | null {
  const m = / typ ([a-z]+)/.exec(candidate);
  return m?.[1] ?? null;
}

export function diagnoseConnectFailure(evidence: IceEvidence): ConnectIssue {
  const detail = evidence.turnErrors[0] ?? null;
  if (!evidence.turnConfigured) return { kind: 'no-relay', detail: null };
  if (evidence.relayCandidates === 0) return { kind: 'turn-unreachable', detail };
  return { kind: 'no-route', detail };
}

export function connectIssueMessage(issue: ConnectIssue, peerName: string): string {
  switch (issue.kind) {
    case 'turn-unreachable':
      return `Can’t connect to ${peerName}: the relay (TURN) server can’t be reached or refused this call${issue.detail ? ` (${issue.detail.replace(/\.$/, '')})` : ''}. A direct connection isn’t possible on this network.`;
    case 'no-relay':
      return `Can’t connect to ${peerName}: a direct connection isn’t possible on this network and the server has no relay (TURN) configured.`;
    case 'no-route':
      return `Can’t connect to ${peerName}: no network path works, even through the relay. ${peerName} may be unable to reach it.`;
  }
}

/**
 * What one RTCPeerConnection's ICE agent showed so far, kept for diagnoseConnectFailure: the
 * relay candidates it gathered and the errors TURN servers sent it. Every connection keeps one.
 */
export class IceEvidenceLog {
  private relayCandidates = 0;
  private readonly turnErrors: string[] = [];

  /** An `icecandidate` event's candidate line. */
  candidate(candidate: string): void {
    if (candidateType(candidate) === 'relay') this.relayCandidates += 1;
  }

  /** An `icecandidateerror` event; only TURN servers' errors say anything about the relay. */
  candidateError(ev: { url?: string; errorCode?: number; errorText?: string }): void {
    if (!ev.url || !isTurnUrl(ev.url)) return;
    this.turnErrors.push(`${ev.errorCode ?? ''} ${ev.errorText ?? ''}`.trim());
  }

  diagnose(iceServers: readonly RTCIceServer[]): ConnectIssue {
    return diagnoseConnectFailure({ turnConfigured: hasTurnServer(iceServers), relayCandidates: this.relayCandidates, turnErrors: this.turnErrors });
  }
}
