#!/usr/bin/python3
"""A publisher and a subscriber built on aiortc (Debian python3-aiortc: a WebRTC stack we did not
write) meet through the real pulsemeet binary's media server.

The server runs with SFU_MODE=always on loopback ports it picks itself. Both clients speak the
signaling protocol of docs/protocol.md ("Rooms on the media server"): join with data.sfu, offer
to the media server (`sfu-offer`), apply `sfu-answer`, re-offer with recvonly sections when
`sfu-tracks` announces tracks. The test passes when the subscriber decodes the publisher's video
(frames of the size the publisher sends) and audio, carried on the SSRC the server's answer
declared (not the publisher's own: the server rewrote it), and the server's counters show what
it forwarded. Exit status 0 on success; every failure prints one line saying what was missing.

Usage: aiortc_through_sfu.py <path to pulsemeet>
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import urllib.request

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

DEADLINE_SECONDS = 40
ROOM = "aiortc-room"


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


class Server:
    """The real binary; its ports are read from its JSON log lines."""

    def __init__(self, binary):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOST": "127.0.0.1",
            "PORT": "0",
            "MEDIA_PORT": "0",
            "SFU_MODE": "always",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
        }
        self.process = subprocess.Popen(
            [binary, "--env-file", "/dev/null"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.port = None
        self.media_port = None
        self.lines = []

    async def started(self):
        loop = asyncio.get_running_loop()
        while self.port is None or self.media_port is None:
            line = await loop.run_in_executor(None, self.process.stdout.readline)
            if not line:
                fail("the server exited before listening:\n" + "".join(self.lines))
            self.lines.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "listening":
                self.port = int(entry["port"])
            if entry.get("msg") == "media server listening":
                self.media_port = int(entry["port"])
        # Keep reading so the pipe never fills.
        loop.run_in_executor(None, self.drain)

    def drain(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def metric(self, name):
        body = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5).read()
        total = 0.0
        for line in body.decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Client:
    """One aiortc peer connection to the media server, driven by the signaling socket."""

    def __init__(self, name, port, publish):
        self.name = name
        self.port = port
        self.publish = publish
        self.pc = RTCPeerConnection()
        self.ws = None
        self.peer_id = None
        self.wanted = {"audio": 0, "video": 0}  # recvonly sections the server asked for
        self.mids = {}  # mid -> (peerId, source), from the last sfu-answer
        self.answered_ssrcs = {}  # mid -> the SSRC the server's answer declares for it
        self.video_frames = 0
        self.video_size = None
        self.audio_frames = 0
        self.offering = asyncio.Lock()
        self.answer = None
        self.closing = False

    async def connect(self):
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws")
        await self.ws.send(json.dumps({"type": "join", "roomId": ROOM,
                                       "data": {"name": self.name, "sfu": True}}))
        if self.publish:
            self.pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
            self.pc.addTransceiver(AudioStreamTrack(), direction="sendonly")

        @self.pc.on("track")
        def on_track(track):
            asyncio.ensure_future(self.consume(track))

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except Exception:  # the track ended
                return
            if track.kind == "video":
                self.video_frames += 1
                self.video_size = (frame.width, frame.height)
            else:
                self.audio_frames += 1

    async def offer(self):
        async with self.offering:
            have = {"audio": 0, "video": 0}
            for transceiver in self.pc.getTransceivers():
                if transceiver.direction == "recvonly":
                    have[transceiver.kind] += 1
            for kind in ("audio", "video"):
                for _ in range(self.wanted[kind] - have[kind]):
                    self.pc.addTransceiver(kind, direction="recvonly")
            await self.pc.setLocalDescription(await self.pc.createOffer())
            self.answer = asyncio.get_running_loop().create_future()
            await self.ws.send(json.dumps({"type": "sfu-offer",
                                           "sdp": one_uri_per_extension_id(
                                               self.pc.localDescription.sdp)}))
            message = await self.answer
            self.mids = {t["mid"]: (t["peerId"], t["source"]) for t in message.get("tracks", [])}
            self.answered_ssrcs = answered_ssrcs(message["sdp"])
            await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))

    async def listen(self):
        async for raw in self.ws:
            if self.closing:
                return
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "room-joined":
                self.peer_id = message.get("peerId")
                mode = message.get("mode", message.get("data", {}).get("mode"))
                if mode != "sfu":
                    fail(f"{self.name}: room-joined says mode {mode!r}, not 'sfu' with SFU_MODE=always")
                # Everyone offers at once: a publisher its tracks, a pure subscriber one recvonly
                # section of each kind, so that it has a connection the server can announce to.
                if not self.publish:
                    self.wanted = {"audio": 1, "video": 1}
                asyncio.ensure_future(self.offer())
            elif kind == "sfu-answer":
                if self.answer is not None and not self.answer.done():
                    self.answer.set_result(message)
            elif kind == "sfu-tracks":
                tracks = message.get("tracks", [])
                self.wanted["audio"] = sum(1 for t in tracks if t["source"] == "microphone")
                self.wanted["video"] = sum(1 for t in tracks if t["source"] != "microphone")
                asyncio.ensure_future(self.offer())
            elif kind == "error":
                fail(f"{self.name}: server error {message}")

    async def inbound_ssrcs(self):
        report = await self.pc.getStats()
        return {s.kind: s.ssrc for s in report.values() if s.type == "inbound-rtp"}

    async def outbound_ssrcs(self):
        report = await self.pc.getStats()
        return {s.kind: s.ssrc for s in report.values() if s.type == "outbound-rtp"}


def one_uri_per_extension_id(sdp):
    """aiortc 1.4 offers extmap id 2 as ssrc-audio-level in its audio section and as
    abs-send-time in its video section, and keeps one map per bundled transport; RFC 8843 §9.2
    wants one URI per id across a BUNDLE group. Answered as offered, its own receive path then
    parses an audio level as a send time and stops. Leaving audio-level out of what we send the
    server keeps aiortc's map consistent (the server answers only what was offered)."""
    return "".join(line + "\r\n" for line in sdp.split("\r\n")
                   if line and "ssrc-audio-level" not in line)


def answered_ssrcs(sdp):
    """mid -> the first a=ssrc of that section of the server's answer."""
    result, mid = {}, None
    for line in sdp.splitlines():
        if line.startswith("m="):
            mid = None
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:"):].strip()
        else:
            match = re.match(r"a=ssrc:(\d+) ", line)
            if match and mid is not None and mid not in result:
                result[mid] = int(match.group(1))
    return result


def describe(publisher, subscriber, server):
    """What each side got so far, for a failure message."""
    parts = []
    for client in (publisher, subscriber):
        parts.append(f"{client.name}: pc {client.pc.connectionState}, ice "
                     f"{client.pc.iceConnectionState}, wanted {client.wanted}, mids {client.mids}, "
                     f"video frames {client.video_frames}, audio frames {client.audio_frames}")
    try:
        counts = {name: server.metric("pulsemeet_media_" + name) for name in (
            "rtp_packets_received_total", "rtp_packets_sent_total", "unroutable_total",
            "srtp_failures_total", "plis_sent_total", "transports", "forwarded_streams")}
        parts.append(f"media server: {counts}")
    except OSError as error:
        parts.append(f"media server metrics unreadable: {error}")
    tail = "".join(line for line in server.lines[-15:] if "media" in line or "sfu" in line)
    return "; ".join(parts) + "\nserver log (media lines of the last 15):\n" + tail


async def wait_for(condition, what, deadline, state=lambda: ""):
    loop = asyncio.get_running_loop()
    while not condition():
        if loop.time() > deadline:
            fail("timed out waiting for " + what + "; " + state())
        await asyncio.sleep(0.1)


async def main(binary):
    server = Server(binary)
    try:
        await server.started()
        deadline = asyncio.get_running_loop().time() + DEADLINE_SECONDS
        publisher = Client("publisher", server.port, publish=True)
        subscriber = Client("subscriber", server.port, publish=False)
        for client in (publisher, subscriber):
            await client.connect()
            asyncio.ensure_future(client.listen())

        await wait_for(lambda: subscriber.video_frames >= 30 and subscriber.audio_frames >= 50,
                       "the subscriber to decode 30 video frames and 50 audio frames", deadline,
                       lambda: describe(publisher, subscriber, server))
        if subscriber.video_size != (640, 480):
            fail(f"decoded video is {subscriber.video_size}, the publisher sends 640x480")
        sources = sorted(source for peer, source in subscriber.mids.values()
                         if peer == publisher.peer_id)
        if sources != ["camera", "microphone"]:
            fail(f"sfu-answer maps the publisher's tracks as {sources}")

        sent = await publisher.outbound_ssrcs()
        received = await subscriber.inbound_ssrcs()
        declared = set(subscriber.answered_ssrcs.values())
        for kind in ("audio", "video"):
            if kind not in received:
                fail(f"the subscriber has no inbound {kind} stream")
            if received[kind] == sent.get(kind):
                fail(f"{kind} arrived on the publisher's own SSRC {sent.get(kind)}: not rewritten")
            if received[kind] not in declared:
                fail(f"{kind} arrived on SSRC {received[kind]}, the answer declared {declared}")

        # /metrics reads the media threads' counters once a second.
        await wait_for(lambda: server.metric("pulsemeet_media_rtp_packets_sent_total") >= 30,
                       "the server to count 30 forwarded RTP packets", deadline,
                       lambda: describe(publisher, subscriber, server))
        forwarded = server.metric("pulsemeet_media_rtp_packets_sent_total")
        print(json.dumps({"video_frames": subscriber.video_frames,
                          "audio_frames": subscriber.audio_frames,
                          "video_ssrc_sent": sent.get("video"),
                          "video_ssrc_received": received.get("video"),
                          "forwarded_packets": forwarded}), flush=True)
        for client in (publisher, subscriber):
            client.closing = True
        for client in (publisher, subscriber):
            await client.pc.close()
            await client.ws.close()
    finally:
        server.stop()
    print("PASS", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: aiortc_through_sfu.py <pulsemeet binary>")
    asyncio.run(main(sys.argv[1]))
