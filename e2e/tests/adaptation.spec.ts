// Bandwidth adaptation: each sender caps its camera per connection by the size of the mesh.
import { expect, test, type Page } from '@playwright/test';
import { joinCall, openLobby, remoteTiles, type Participant } from '../helpers/participant';
import { startServer } from '../helpers/server';

/** The maxBitrate our camera sender has on every connection, as set through setParameters. */
async function maxBitrates(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    Object.values(window.__pulsemeet.peerConnections()).map((pc) => {
      const sender = (pc as RTCPeerConnection).getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
      return sender?.getParameters().encodings?.[0]?.maxBitrate ?? 0;
    }),
  );
}

test('every sender caps its video lower in a 4-person room than in a 2-person room', async ({ browser }) => {
  test.setTimeout(180_000);
  const server = await startServer();
  const people: Participant[] = [];
  const roomId = 'e2e-adaptation-room';
  try {
    for (const name of ['Ada', 'Bob']) people.push(await joinCall(browser, server.baseURL, roomId, name));
    const duo: number[] = [];
    for (const p of people) {
      await expect.poll(() => maxBitrates(p.page), { timeout: 30_000 }).toEqual([expect.any(Number)]);
      await expect.poll(async () => (await maxBitrates(p.page))[0], { timeout: 30_000 }).toBeGreaterThan(0);
      duo.push((await maxBitrates(p.page))[0]!);
    }
    // The choice shows in the quality panel.
    await people[0]!.page.getByTestId('toggle-stats').click();
    await expect(people[0]!.page.getByTestId('stat-send')).toContainText('≤');

    // The two newcomers join with their cameras off: a 4-page video mesh is more than this
    // shared 2-core machine can encode and decode. Their senders still get caps.
    for (const name of ['Cleo', 'Dan']) {
      const p = await openLobby(browser, server.baseURL, roomId, name);
      await p.page.getByTestId('lobby-cam-toggle').click();
      await p.page.getByTestId('join-call').click({ timeout: 30_000 });
      await expect.poll(() => p.peerId(), { timeout: 30_000 }).not.toBe('');
      people.push(p);
    }
    for (const p of people) await expect(remoteTiles(p.page)).toHaveCount(3, { timeout: 30_000 });
    const quad: number[][] = [];
    for (const p of people) {
      await expect
        .poll(async () => {
          const caps = await maxBitrates(p.page);
          return caps.length === 3 && caps.every((c) => c > 0 && c < Math.min(...duo));
        }, { timeout: 40_000, message: `${p.name} lowers every sender's cap` })
        .toBe(true);
      quad.push(await maxBitrates(p.page));
    }
    console.log(`max bitrate per sender: 2 people ${duo.join(', ')} bps; 4 people ${quad.map((q) => q.join('/')).join(', ')} bps`);
    await people[0]!.page.screenshot({ path: 'screenshots/quality-4.png', timeout: 30_000 }).catch(() => undefined); // for looking at the UI; not an assertion
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});
