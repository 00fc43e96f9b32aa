// A remote participant as the room knows it: identity and the media state it announces. What
// arrives from it (tracks, connection quality) is the transport's (transport/MediaTransport).
import type { MediaState } from '../protocol/messages';

export class RemoteParticipant {
  name: string;
  media: MediaState;
  /**
   * Kept across a resume although room-joined did not list it: after a server restart the room is
   * rebuilt as people come back, and our direct connection to it still carries media. It goes
   * when that connection fails, or when it is heard from again (then it is confirmed).
   */
  unconfirmed = false;

  constructor(
    readonly id: string,
    name: string,
    media: MediaState,
  ) {
    this.name = name;
    this.media = media;
  }
}
