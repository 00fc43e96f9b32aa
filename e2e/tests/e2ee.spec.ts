// End-to-end encryption (issue 20): the room link carries a key in its fragment (#e2ee=...), every
// page that has it encrypts its frames before they leave the browser and opens the others' with
// their per-sender keys. On the media server (SFU_MODE=always): two key-holders see each other,
// a third page joined without the key decodes nothing and says why, one with a different key
// likewise; a browser without encoded transforms, whose decoder gets the frames exactly as the
// media server forwards them, cannot decode them. The mesh: the same with two pages. Pages capture at 320x180, 15 fps (two cores).
import { createRequire } from 'node:module';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { smallCapture } from '../helpers/pageScripts';
import { expectMediaFrom, inbound, joinCall, tileOf, type E2eeCost, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// 128 bits, base64url: what the start page's "encrypted meeting" makes.
const KEY = 'q3Vd1m7s0aXb9kR2LwPzEg';
const OTHER_KEY = 'Zx8-Yw7_Vu6TtSs5Rr4QqA';

let server: RunningServer;
const people: Participant[] = [];

async function closeAll(): Promise<void> {
  for (const p of people.splice(0)) await p.close().catch(() => undefined);
}

// Two cores: each test's pages go before the next test opens its own.
test.afterEach(closeAll);
test.afterAll(async () => {
  await closeAll();
  await server?.stop();
});

/**
 * A browser without encoded transforms: the app puts none on its connections, so every frame that
 * arrives goes to the decoder as forwarded. A page without the key made this way shows whether
 * what travels is decodable at all (our own transform would drop it anyway).
 */
function withoutTransforms(): void {
  delete (window as unknown as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform;
}

async function join(browser: Browser, room: string, name: string, key: string | null, phone = false, rawDecoder = false): Promise<Participant> {
  // bypassCSP: axe-core is injected as an inline script (the app's CSP allows none).
  const initScripts = rawDecoder ? [smallCapture, withoutTransforms] : [smallCapture];
  const p = await joinCall(browser, server.baseURL, room, name, key ? `#e2ee=${key}` : '', { ...(phone ? PHONE : {}), bypassCSP: true, initScripts });
  people.push(p);
  return p;
}

/**
 * Video frames decoded on the connection that carries `remoteId`. On the media server that one
 * connection carries everyone: all senders' frames (where no sender's may decode, the stronger claim).
 */
async function decodedOnConnection(page: Page, remoteId: string): Promise<number> {
  return (await inbound(page, remoteId))?.framesDecoded ?? 0;
}

/**
 * One sender's video on this page: packets received and frames decoded on the m-lines that carry
 * its tracks (on the media server the test hook says which mids those are; in the mesh its own
 * connection carries nothing else).
 */
function videoFrom(page: Page, senderId: string): Promise<{ packets: number; decoded: number }> {
  return page.evaluate(async (id) => {
    const hook = window.__pulsemeet;
    const pc = hook.peerConnections()[id] as RTCPeerConnection | undefined;
    const out = { packets: 0, decoded: 0 };
    if (!pc) return out;
    const mids = hook.mediaTransport() === 'sfu' ? new Set(hook.receivedMids()[id] ?? []) : null;
    (await pc.getStats()).forEach((s: { type: string; kind?: string; mid?: string; packetsReceived?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video' || (mids && !mids.has(s.mid ?? ''))) return;
      out.packets += s.packetsReceived ?? 0;
      out.decoded += s.framesDecoded ?? 0;
    });
    return out;
  }, senderId);
}

/**
 * `viewer` decodes more of `sender`'s video than when called. A fresh connection starts its
 * counters anew: a reading below the last one is the new baseline.
 */
async function expectDecodingFrom(viewer: Participant, sender: Participant, senderId: string): Promise<void> {
  let base = (await videoFrom(viewer.page, senderId)).decoded;
  await expect
    .poll(
      async () => {
        const now = (await videoFrom(viewer.page, senderId)).decoded;
        if (now < base) base = now;
        return now - base;
      },
      { message: `${viewer.name} still decodes ${sender.name}'s video`, intervals: [250, 500, 1000] },
    )
    .toBeGreaterThan(0);
}

/**
 * What each page has of the others, on a few lines each: per sender the mids, video packets and
 * frames decoded; the frame worker's slots (whose, opened / dropped / passed / unmapped, and
 * whether the page says they do not open); the tiles' e2ee problems; its connections to the media
 * server (sfu:connect) and why (sfu:stuck). Printed when a step fails.
 */
async function describePages(pages: Participant[]): Promise<string> {
  const names = new Map<string, string>();
  for (const p of pages) names.set(await p.peerId().catch(() => '?'), p.name);
  const who = (id: string | null) => (id === null ? 'unmapped' : (names.get(id) ?? id.slice(0, 8)));
  const lines: string[] = [];
  for (const p of pages) {
    const state = await p.page
      .evaluate(async () => {
        const hook = window.__pulsemeet;
        const pc = Object.values(hook.peerConnections())[0] as RTCPeerConnection | undefined;
        const inbound: Array<{ mid: string; kind: string; packets: number; decoded: number }> = [];
        if (pc)
          (await pc.getStats()).forEach((s: { type: string; kind?: string; mid?: string; packetsReceived?: number; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp') inbound.push({ mid: s.mid ?? '?', kind: s.kind ?? '?', packets: s.packetsReceived ?? 0, decoded: s.framesDecoded ?? 0 });
          });
        const tiles = [...document.querySelectorAll('[data-testid="tile"][data-local="false"]')].map((t) => ({
          id: t.getAttribute('data-peer-id') ?? '',
          problem: t.querySelector('[data-testid="tile-e2ee-problem"]')?.getAttribute('data-problem') ?? 'none',
        }));
        const trace = hook
          .trace()
          .filter((e) => e.event === 'sfu:connect' || e.event === 'sfu:stuck')
          .map((e) => `${e.event.slice(4)}${e.detail ? `(${e.detail.slice(0, 8)})` : ''}@${Math.round(e.atMs)}`);
        return { me: hook.peerId() ?? '', transport: hook.mediaTransport(), mids: hook.receivedMids(), inbound, cost: await hook.e2eeCost(), tiles, trace };
      })
      .catch((err: unknown) => ({ error: String(err) }));
    if ('error' in state) {
      lines.push(`  ${p.name}: ${state.error}`);
      continue;
    }
    const senderOfMid = new Map<string, string>();
    for (const [id, ms] of Object.entries(state.mids)) for (const m of ms) senderOfMid.set(m, who(id));
    const video = state.inbound
      .filter((s) => s.kind === 'video')
      .map((s) => `${senderOfMid.get(s.mid) ?? '-'}[mid ${s.mid}] ${s.packets} pkts ${s.decoded} decoded`)
      .join(', ');
    const slots = (state.cost?.slots ?? [])
      .map((s) => `#${s.slot} ${s.kind} ${who(s.peerId)}: opened ${s.opened} dropped ${s.dropped} passed ${s.passed} unmapped ${s.unmapped}${s.failing ? ' FAILING' : ''}`)
      .join('; ');
    const tiles = state.tiles.map((t) => `${who(t.id)}=${t.problem}`).join(', ');
    lines.push(
      `  ${p.name} (${state.me.slice(0, 8)}, ${state.transport}; ${state.trace.join(' ') || 'no trace'}):\n` +
        `    video in: ${video || 'none'}\n    e2ee: dropped ${state.cost?.dropped ?? '-'}; ${slots || 'no slots'}\n    tiles: ${tiles || 'none'}`,
    );
  }
  return lines.join('\n');
}

/** Runs a step; when it fails, its error names the step and carries what every page had. */
async function step(what: string, pages: Participant[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const report = `[e2ee] step failed: ${what}\n${await describePages(pages)}`;
    console.log(report);
    await test.info().attach(`pages when "${what}" failed`, { body: report, contentType: 'text/plain' });
    if (err instanceof Error) {
      const old = err.message;
      err.message = `${what}: ${old}\n${report}`;
      if (err.stack) err.stack = err.stack.replace(old, err.message);
    }
    throw err;
  }
}

/**
 * A page's fresh connections to the media server because a video "did not decode" (sfu:stuck)
 * naming one of `ids`: frames its transforms drop on purpose must never look like a stuck decoder.
 */
async function stuckOn(page: Page, ids: string[]): Promise<string[]> {
  const stuck = await page.evaluate(() => window.__pulsemeet.trace().filter((e) => e.event === 'sfu:stuck'));
  return stuck.map((e) => e.detail ?? '').filter((detail) => detail.split(',').some((id) => ids.includes(id)));
}

/** Asked of every camera the app opens instead of what it requests: the measurement's 640x360. */
function captureAt640(): void {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (constraints?: MediaStreamConstraints) => {
    if (constraints && constraints.video) {
      const video = typeof constraints.video === 'object' ? constraints.video : {};
      constraints = { ...constraints, video: { ...video, width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } } };
    }
    return original(constraints);
  };
}

function readCost(page: Page): Promise<E2eeCost> {
  return page.evaluate(async () => {
    const c = await window.__pulsemeet.e2eeCost();
    if (!c) throw new Error('no frame worker');
    return c;
  });
}

/**
 * Time spent sealing and opening frames in the worker between two readings, per frame, with the
 * frames' mean size: printed for the report, never asserted on (two shared cores).
 */
function costLine(label: string, a: E2eeCost, b: E2eeCost): string {
  const parts = (['video', 'audio'] as const).map((k) => {
    const enc = b[k].encrypted - a[k].encrypted;
    const dec = b[k].decrypted - a[k].decrypted;
    const perEnc = enc ? ((b[k].encryptMs - a[k].encryptMs) / enc).toFixed(3) : '-';
    const perDec = dec ? ((b[k].decryptMs - a[k].decryptMs) / dec).toFixed(3) : '-';
    const bytes = enc ? Math.round((b[k].encryptedBytes - a[k].encryptedBytes) / enc) : 0;
    return `${k}: encrypt ${perEnc} ms/frame over ${enc} frames, decrypt ${perDec} ms/frame over ${dec}, mean ${bytes} bytes`;
  });
  return `[e2ee cost] ${label}: ${parts.join('; ')}`;
}

/** Reads the cost before and after `frames` more video frames were sealed (a condition, not a sleep). */
async function measureCost(page: Page, label: string, frames: number): Promise<void> {
  const a = await readCost(page);
  await expect.poll(async () => (await readCost(page)).video.encrypted - a.video.encrypted, { timeout: 60_000, message: `${label}: ${frames} more video frames sealed` }).toBeGreaterThanOrEqual(frames);
  const b = await readCost(page);
  expect(b.video.decrypted - a.video.decrypted).toBeGreaterThan(0);
  console.log(costLine(label, a, b));
}

/** Video frames assembled and decoded on the connection that carries `remoteId`. */
function videoFrames(page: Page, remoteId: string): Promise<{ received: number; decoded: number }> {
  return page.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    const out = { received: 0, decoded: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((s: { type: string; kind?: string; framesReceived?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      out.received += s.framesReceived ?? 0;
      out.decoded += s.framesDecoded ?? 0;
    });
    return out;
  }, remoteId);
}

/** The codec of the video received on the connection that carries `remoteId`. */
function videoCodec(page: Page, remoteId: string): Promise<string | null> {
  return page.evaluate(async (id) => {
    const pc = window.__pulsemeet.peerConnections()[id] as RTCPeerConnection | undefined;
    if (!pc) return null;
    const stats = await pc.getStats();
    let codec: string | null = null;
    stats.forEach((s: { type: string; kind?: string; codecId?: string }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && s.codecId) codec = (stats.get(s.codecId) as { mimeType?: string } | undefined)?.mimeType ?? null;
    });
    return codec;
  }, remoteId);
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} x${v.nodes.length}`);
  });
}

test.describe('on the media server', () => {
  test.beforeAll(async () => {
    server = await startServer({ env: { SFU_MODE: 'always' } });
  });

  test('two key-holders see each other; a page without the key, or with another key, decodes nothing and says why', async ({ browser }) => {
    const room = `e2ee-sfu-${Date.now().toString(36)}`;
    const alice = await join(browser, room, 'Alice', KEY);
    const bob = await join(browser, room, 'Bob', KEY, true);
    const [aliceId, bobId] = [await alice.peerId(), await bob.peerId()];
    await expect.poll(() => alice.page.evaluate(() => window.__pulsemeet.mediaTransport()), { message: "Alice's media go through the media server" }).toBe('sfu');
    await expectMediaFrom(alice, bob);
    await expectMediaFrom(bob, alice);

    // Both say the call is end-to-end encrypted, with an accessible name (Bob on a phone).
    for (const p of [alice, bob]) {
      await expect(p.page.getByRole('img', { name: /End-to-end encrypted/ })).toBeVisible();
      await expect(tileOf(p.page, p === alice ? bobId : aliceId).getByTestId('tile-e2ee-problem')).toHaveCount(0);
    }
    expect(await seriousViolations(bob.page)).toEqual([]);
    await bob.page.screenshot({ path: test.info().outputPath('phone-key-holder.png') });

    // The frames really went through the worker, sealed and opened.
    const cost = await alice.page.evaluate(() => window.__pulsemeet.e2eeCost());
    for (const kind of ['audio', 'video'] as const) {
      expect(cost?.[kind].encrypted ?? 0).toBeGreaterThan(0);
      expect(cost?.[kind].decrypted ?? 0).toBeGreaterThan(0);
    }

    await measureCost(alice.page, 'media server, 320x180 capture', 100);

    // Carol's link has no key: packets reach her, no frame is decoded, and she is told why.
    const carol = await join(browser, room, 'Carol', null);
    const carolId = await carol.peerId();
    await step('Carol, without the key', [alice, bob, carol], async () => {
      await expect(carol.page.getByTestId('e2ee-missing-key')).toContainText('This call is end-to-end encrypted; your link has no key');
      for (const [id, name] of [[aliceId, 'Alice'], [bobId, 'Bob']]) await expect(tileOf(carol.page, id!).getByTestId('tile-e2ee-problem'), `Carol's tile of ${name} says no key`).toHaveAttribute('data-problem', 'no-key');
      await expect.poll(async () => (await videoFrom(carol.page, aliceId)).packets, { message: "Alice's video packets reach Carol, who has no key" }).toBeGreaterThan(50);
      // Everyone else encrypts: nothing of anyone's may decode on her one connection.
      expect(await decodedOnConnection(carol.page, aliceId), 'frames decoded by Carol, from anyone').toBe(0);
      // She shows no indicator of her own, and the key-holders see her media is not encrypted.
      await expect(carol.page.getByTestId('e2ee-indicator'), "Carol's own e2ee indicator").toHaveCount(0);
      await carol.page.screenshot({ path: test.info().outputPath('without-key.png') });
      expect(await seriousViolations(carol.page)).toEqual([]);
      await expect(tileOf(alice.page, carolId).getByTestId('tile-e2ee-problem'), "Alice's tile of Carol says not encrypted").toHaveAttribute('data-problem', 'not-encrypted');
    });

    // Dave has a different key: his frames and theirs do not open; each side says so.
    const dave = await join(browser, room, 'Dave', OTHER_KEY);
    const daveId = await dave.peerId();
    await step('Dave, with another key', [alice, bob, carol, dave], async () => {
      await expect(tileOf(dave.page, aliceId).getByTestId('tile-e2ee-problem'), "Dave's tile of Alice says wrong key").toHaveAttribute('data-problem', 'wrong-key', { timeout: 30_000 });
      await expect(tileOf(dave.page, aliceId).getByTestId('tile-e2ee-problem')).toContainText('your link has a different key');
      await expect(tileOf(alice.page, daveId).getByTestId('tile-e2ee-problem'), "Alice's tile of Dave says wrong key").toHaveAttribute('data-problem', 'wrong-key', { timeout: 30_000 });
      await expect.poll(async () => (await videoFrom(dave.page, aliceId)).packets, { message: "Alice's video packets reach Dave" }).toBeGreaterThan(50);
      // Alice and Bob seal with the other key, Carol not at all: nothing decodes on Dave's connection.
      expect(await decodedOnConnection(dave.page, aliceId), 'frames decoded by Dave, from anyone').toBe(0);
      // Alice and Bob still see each other.
      await expectDecodingFrom(alice, bob, bobId);
      await expectDecodingFrom(bob, alice, aliceId);
      // Still nothing decoded by the two without the right key, after all of that.
      expect(await decodedOnConnection(carol.page, aliceId), 'frames decoded by Carol, from anyone, after Dave came').toBe(0);
      expect(await decodedOnConnection(dave.page, aliceId), 'frames decoded by Dave, from anyone, later').toBe(0);
      // Frames dropped on purpose are no stuck decoder: nobody made its media connection anew for them.
      expect(await stuckOn(alice.page, [carolId, daveId]), "Alice's fresh connections for Carol's or Dave's video").toEqual([]);
      expect(await stuckOn(bob.page, [carolId, daveId]), "Bob's fresh connections for Carol's or Dave's video").toEqual([]);
      expect(await stuckOn(carol.page, [aliceId, bobId, daveId]), "Carol's fresh connections for encrypted video").toEqual([]);
      expect(await stuckOn(dave.page, [aliceId, bobId, carolId]), "Dave's fresh connections for video that does not open").toEqual([]);
    });
    await carol.close();
    await dave.close();

    // Eve's browser has no transforms: the forwarded frames meet her VP8 decoder as they are. It
    // assembles them, and makes nothing of nearly all (a key frame's clear header can still
    // yield a picture of noise now and then: why our own pages drop them instead).
    const eve = await join(browser, room, 'Eve', null, false, true);
    await expect.poll(async () => (await videoFrames(eve.page, aliceId)).received, { message: 'frames assembled by the page without transforms', timeout: 30_000 }).toBeGreaterThan(100);
    const frames = await videoFrames(eve.page, aliceId);
    console.log(`[e2ee] a decoder fed the forwarded frames: ${frames.decoded} decoded of ${frames.received} received`);
    expect(frames.decoded).toBeLessThan(frames.received / 4);
  });
});

test.describe('in the mesh', () => {
  test.beforeAll(async () => {
    await server?.stop();
    server = await startServer({ env: { SFU_MODE: 'never' } });
  });

  test('two key-holders see each other peer to peer; a page without the key sees the message', async ({ browser }) => {
    const room = `e2ee-mesh-${Date.now().toString(36)}`;
    const alice = await join(browser, room, 'Alice', KEY);
    const bob = await join(browser, room, 'Bob', KEY);
    const aliceId = await alice.peerId();
    expect(await alice.page.evaluate(() => window.__pulsemeet.mediaTransport())).toBe('mesh');
    await expectMediaFrom(alice, bob);
    await expectMediaFrom(bob, alice);
    await expect(alice.page.getByTestId('e2ee-indicator')).toBeVisible();
    // The clear header sizes are VP8's: the browsers must have picked VP8 (docs/architecture.md).
    expect(await videoCodec(alice.page, await bob.peerId())).toBe('video/VP8');
    const carol = await join(browser, room, 'Carol', null);
    await expect(tileOf(carol.page, aliceId).getByTestId('tile-e2ee-problem')).toHaveAttribute('data-problem', 'no-key');
    await expect.poll(async () => (await videoFrom(carol.page, aliceId)).packets, { message: "Alice's video packets reach Carol, who has no key" }).toBeGreaterThan(50);
    expect(await decodedOnConnection(carol.page, aliceId), "frames decoded by Carol from Alice's connection").toBe(0);
  });

  test('cost per frame at 640x360 (printed for the report)', async ({ browser }) => {
    const room = `e2ee-cost-${Date.now().toString(36)}`;
    const open = async (name: string) => {
      const p = await joinCall(browser, server.baseURL, room, name, `#e2ee=${KEY}`, { initScripts: [captureAt640] });
      people.push(p);
      return p;
    };
    const alice = await open('Alice');
    const bob = await open('Bob');
    await expectMediaFrom(alice, bob);
    const width = await alice.page.evaluate(() => (document.querySelector('[data-testid="local-video"]') as HTMLVideoElement | null)?.videoWidth ?? 0);
    await measureCost(alice.page, `mesh, ${width}px-wide capture`, 150);
  });
});
