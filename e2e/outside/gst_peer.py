#!/usr/bin/python3
"""A call participant built on GStreamer's webrtcbin: a client we did not write the media stack of.

It speaks PulseMeet's WebSocket protocol the way a third-party client would (docs/protocol.md,
"Negotiation rules"): it joins with a room id and a name only, offers to whoever joins after it,
answers whoever offers to it (reusing the offer's payload types), trickles its candidates, and
leaves with `leave` plus a close frame. It sends a moving test picture (VP8, 320x240, 15 fps) and
a sine tone (Opus), decodes everything it receives, and reports on stdout, one JSON object a line:

  {"event": "joined", "peerId": ...}
  {"event": "stats", "peers": {<peerId>: {"video": [{"frames", "width", "height"}], "audio": [buffers]}}}
  {"event": "offer-sent" | "answer-sent", "peerId": ..., "setup": [a=setup roles], "directions": [...],
   "transceivers": [[m-line, kind, direction]]}   (once applied as the local description)
  {"event": "answer-received", "peerId": ...}
  {"event": "offer-received", "peerId": ..., "media": [m-line kinds], "setup": [a=setup roles]}
  {"event": "rebuilt", "peerId": ...}   (an offer with a new DTLS fingerprint: a fresh connection)
  {"event": "left"} / {"event": "error", "message": ...}

Commands on stdin: `leave` (leave the room, close the socket with 1000, exit 0); the end of stdin
does the same.
Only Debian packages: python3-gi, python3-websockets, gir1.2-gst-plugins-bad-1.0, gir1.2-nice-0.1.
"""
import argparse
import asyncio
import json
import re
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

import websockets  # noqa: E402

# What we send when we make the offer: numbers browsers do not give VP8 and Opus, so that an answer
# that did not take the offer's numbers (as it must) shows. When answering we take the offer's.
OWN_VIDEO_PT = 120
OWN_AUDIO_PT = 121


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def payload_type(sdp, kind, codec):
    """The first payload type the SDP maps to `codec` in its first `kind` section, or None."""
    section = re.search(rf"^m={kind} .*?(?=^m=|\Z)", sdp, re.S | re.M)
    if not section:
        return None
    found = re.search(rf"^a=rtpmap:(\d+) {codec}/", section.group(0), re.M | re.I)
    return int(found.group(1)) if found else None


def media_order(sdp):
    """Kinds of the audio and video sections, in the order the SDP lists them."""
    kinds = []
    for kind in re.findall(r"^m=(\w+) ", sdp, re.M):
        if kind in ("audio", "video") and kind not in kinds:
            kinds.append(kind)
    return kinds


def fingerprint(sdp):
    found = re.search(r"^a=fingerprint:(.+)$", sdp, re.M)
    return found.group(1).strip() if found else ""


def mids(sdp):
    return re.findall(r"^a=mid:(\S+)", sdp, re.M)


class PeerLink:
    """One webrtcbin pipeline for one remote peer; what it decoded, counted per stream."""

    def __init__(self, peer_id, send, offerer, kinds, video_pt, audio_pt, loopback):
        self.peer_id = peer_id
        self.send = send  # thread-safe: puts a protocol message on the socket
        self.offerer = offerer
        self.remote_fingerprint = ""
        self.lock = threading.Lock()
        self.video = []  # [{"frames", "width", "height"}] per decoded video stream
        self.audio = []  # [buffers] per decoded audio stream
        self.pipeline = Gst.Pipeline.new(f"peer-{peer_id[:8]}")
        self.webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
        self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pipeline.add(self.webrtc)
        if loopback:
            # Loopback only (CI has no other interface, and the tests stay on this machine).
            # PyGObject drops a reference it was never given when these wrappers die (the ICE
            # agent then dies under webrtcbin): keep them as long as the pipeline.
            self.ice = self.webrtc.get_property("ice-agent")
            self.nice_agent = self.ice.get_property("agent")
            address = Nice.Address.new()
            address.set_from_string("127.0.0.1")
            self.nice_agent.add_local_address(address)
            self.nice_agent.set_property("upnp", False)  # no port mapping requests to the network
        sources = {
            "video": f"videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
            f"! videoconvert ! queue ! vp8enc deadline=1 cpu-used=8 target-bitrate=200000 keyframe-max-dist=30 "
            f"! rtpvp8pay pt={video_pt} ! capsfilter caps=application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload={video_pt}",
            "audio": f"audiotestsrc is-live=true wave=sine freq=440 volume=0.4 ! audioconvert ! audioresample "
            f"! queue ! opusenc ! rtpopuspay pt={audio_pt} "
            f"! capsfilter caps=application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload={audio_pt}",
        }
        sink_pads = []
        for kind in kinds:  # the pads' order is the m-lines' order: the offer's, when answering
            branch = Gst.parse_bin_from_description(sources[kind], True)
            self.pipeline.add(branch)
            sink_pads.append(self.webrtc.request_pad_simple("sink_%u"))
            branch.get_static_pad("src").link(sink_pads[-1])
        self.webrtc.connect("on-ice-candidate", self._on_ice_candidate)
        self.webrtc.connect("pad-added", self._on_incoming_stream)
        if offerer:
            self.webrtc.connect("on-negotiation-needed", lambda _element: self._create("offer"))
        self.pipeline.set_state(Gst.State.PLAYING)
        # Describe ourselves only once our streams run: webrtcbin writes a=ssrc lines only for pads
        # whose caps carry the SSRC. Without them a browser that bundles two video m-lines with the
        # same payload types (camera and screen share) cannot tell which one our packets are for,
        # and drops our video (seen: an answer made at once, audio arriving, no video at all).
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(self._has_ssrc(pad) for pad in sink_pads):
            time.sleep(0.01)

    @staticmethod
    def _has_ssrc(pad):
        caps = pad.get_current_caps()
        return caps is not None and caps.get_structure(0).has_field("ssrc")

    # --- negotiation -------------------------------------------------------------------------
    def _create(self, kind):
        def created(promise, _data):
            promise.wait()
            reply = promise.get_reply()
            description = reply.get_value(kind)
            text = description.sdp.as_text()

            def applied(_promise, _data):
                emit(f"{kind}-sent", peerId=self.peer_id, setup=re.findall(r"^a=setup:(\w+)", text, re.M),
                     directions=re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)\r?$", text, re.M), transceivers=self.transceivers())

            self.webrtc.emit("set-local-description", description, Gst.Promise.new_with_change_func(applied, None))
            self.send({"type": kind, "targetId": self.peer_id, "data": {"type": kind, "sdp": text}})

        self.webrtc.emit(f"create-{kind}", None, Gst.Promise.new_with_change_func(created, None))

    def _remote(self, kind, sdp_text, then=None):
        _, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
        sdp_type = GstWebRTC.WebRTCSDPType.OFFER if kind == "offer" else GstWebRTC.WebRTCSDPType.ANSWER
        description = GstWebRTC.WebRTCSessionDescription.new(sdp_type, sdp)

        def applied(promise, _data):
            promise.wait()
            reply = promise.get_reply()
            if reply is not None and reply.has_field("error"):
                emit("error", message=f"set-remote-description({kind}) failed: {reply.get_value('error')}")
                return
            if then:
                then()

        self.webrtc.emit("set-remote-description", description, Gst.Promise.new_with_change_func(applied, None))

    def on_offer(self, sdp):
        self.remote_fingerprint = fingerprint(sdp)
        self._remote("offer", sdp, then=lambda: self._create("answer"))

    def on_answer(self, sdp):
        self.remote_fingerprint = fingerprint(sdp)
        self._remote("answer", sdp)

    def on_candidate(self, data):
        candidate = data.get("candidate") or ""
        if not candidate:
            return  # end of candidates: nothing to add
        index = data.get("sdpMLineIndex")
        if index is None:
            remote = self.webrtc.get_property("remote-description")
            remote_mids = mids(remote.sdp.as_text()) if remote else []
            if data.get("sdpMid") not in remote_mids:
                return
            index = remote_mids.index(data["sdpMid"])
        self.webrtc.emit("add-ice-candidate", index, candidate)

    def _on_ice_candidate(self, _element, mline, candidate):
        local = self.webrtc.get_property("local-description")
        local_mids = mids(local.sdp.as_text()) if local else []
        data = {"candidate": candidate, "sdpMLineIndex": mline}
        if mline < len(local_mids):
            data["sdpMid"] = local_mids[mline]
        self.send({"type": "ice-candidate", "targetId": self.peer_id, "data": data})

    # --- receiving -----------------------------------------------------------------------------
    def _on_incoming_stream(self, _element, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", self._on_decoded)
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))

    def _on_decoded(self, _decodebin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name()
        queue = Gst.ElementFactory.make("queue")
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        sink.set_property("async", False)
        for element in (queue, sink):
            self.pipeline.add(element)
            element.sync_state_with_parent()
        queue.link(sink)
        pad.link(queue.get_static_pad("sink"))
        with self.lock:
            if name.startswith("video"):
                entry = {"frames": 0, "width": 0, "height": 0}
                self.video.append(entry)

                def count_frame(probe_pad, _info):
                    structure = (probe_pad.get_current_caps() or Gst.Caps.new_empty()).get_structure(0)
                    with self.lock:
                        entry["frames"] += 1
                        if structure is not None:
                            entry["width"] = structure.get_value("width") or 0
                            entry["height"] = structure.get_value("height") or 0
                    return Gst.PadProbeReturn.OK
            else:
                index = len(self.audio)
                self.audio.append(0)

                def count_frame(_probe_pad, _info):
                    with self.lock:
                        self.audio[index] += 1
                    return Gst.PadProbeReturn.OK

        sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, count_frame)

    def transceivers(self):
        """(m-line, kind, direction) of each transceiver: which of our sources went where."""
        out = []
        index = 0
        while True:
            transceiver = self.webrtc.emit("get-transceiver", index)
            if transceiver is None:
                return out
            out.append([transceiver.get_property("mlineindex"), transceiver.get_property("kind").value_nick, transceiver.get_property("direction").value_nick])
            index += 1

    def stats(self):
        with self.lock:
            return {"video": [dict(v) for v in self.video], "audio": list(self.audio)}

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)


class Participant:
    def __init__(self, args):
        self.args = args
        self.links = {}
        self.peer_id = None
        self.loop = None
        self.outbox = None
        self.socket = None

    def send_threadsafe(self, message):
        message.setdefault("roomId", self.args.room)
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, message)

    def link(self, peer_id, offerer, sdp=None):
        kinds = media_order(sdp) if sdp else ["video", "audio"]
        video_pt = (payload_type(sdp, "video", "VP8") if sdp else None) or OWN_VIDEO_PT
        audio_pt = (payload_type(sdp, "audio", "opus") if sdp else None) or OWN_AUDIO_PT
        link = PeerLink(peer_id, self.send_threadsafe, offerer, kinds or ["video", "audio"], video_pt, audio_pt, self.args.loopback)
        self.links[peer_id] = link
        return link

    def drop(self, peer_id):
        link = self.links.pop(peer_id, None)
        if link:
            link.close()

    def handle(self, message):
        kind = message.get("type")
        sender = message.get("peerId")
        data = message.get("data") or {}
        if kind == "room-joined":
            self.peer_id = sender
            emit("joined", peerId=sender, peers=[p.get("peerId") for p in data.get("peers", [])])
        elif kind == "peer-joined" and sender:
            self.drop(sender)
            self.link(sender, offerer=True)  # the peer already in the room offers
        elif kind == "peer-left" and sender:
            self.drop(sender)
            emit("peer-left", peerId=sender)
        elif kind == "offer" and sender:
            sdp = data.get("sdp", "")
            emit("offer-received", peerId=sender, media=re.findall(r"^m=(\w+) ", sdp, re.M), setup=re.findall(r"^a=setup:(\w+)", sdp, re.M))
            link = self.links.get(sender)
            if link and link.remote_fingerprint and link.remote_fingerprint != fingerprint(sdp):
                self.drop(sender)  # a new certificate: the other side started a fresh connection
                link = None
                emit("rebuilt", peerId=sender)
            if link is None:
                link = self.link(sender, offerer=False, sdp=sdp)
            link.on_offer(sdp)
        elif kind == "answer" and sender in self.links:
            emit("answer-received", peerId=sender)
            self.links[sender].on_answer(data.get("sdp", ""))
        elif kind == "ice-candidate" and sender in self.links:
            self.links[sender].on_candidate(data)
        elif kind == "error":
            emit("error", message=message.get("error"), code=message.get("code"))
        # anything else (media-state, pong, ...) is not ours to understand: ignored

    async def run(self):
        self.loop = asyncio.get_running_loop()
        self.outbox = asyncio.Queue()
        done = asyncio.Event()
        threading.Thread(target=self._read_commands, args=(done,), daemon=True).start()
        async with websockets.connect(self.args.url, max_size=None) as socket:
            self.socket = socket
            await socket.send(json.dumps({"type": "join", "roomId": self.args.room, "data": {"name": self.args.name}}))
            tasks = [
                asyncio.create_task(self._receive(socket)),
                asyncio.create_task(self._send(socket)),
                asyncio.create_task(self._report()),
                asyncio.create_task(done.wait()),
            ]
            finished, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if done.is_set():
                await socket.send(json.dumps({"type": "leave", "roomId": self.args.room}))
                await socket.close(code=1000)
                emit("left")
            else:
                for task in finished:
                    if task.exception():
                        emit("error", message=repr(task.exception()))
        for peer_id in list(self.links):
            self.drop(peer_id)

    def _read_commands(self, done):
        # `leave`, or the end of stdin (whoever started us is gone: do not linger in the room).
        for line in sys.stdin:
            if line.strip() == "leave":
                break
        self.loop.call_soon_threadsafe(done.set)

    async def _receive(self, socket):
        async for raw in socket:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            try:
                self.handle(message)
            except Exception as error:  # one bad message must not end the call: report it
                emit("error", message=f"{message.get('type')}: {error!r}")

    async def _send(self, socket):
        while True:
            await socket.send(json.dumps(await self.outbox.get()))

    async def _report(self):
        while True:
            await asyncio.sleep(0.5)
            emit("stats", peers={peer_id: link.stats() for peer_id, link in self.links.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://host:port/ws")
    parser.add_argument("--room", required=True)
    parser.add_argument("--name", default="GStreamer")
    parser.add_argument("--any-interface", dest="loopback", action="store_false", help="gather on every interface, not only 127.0.0.1")
    args = parser.parse_args()
    Gst.init(None)
    asyncio.run(Participant(args).run())


if __name__ == "__main__":
    main()
