// The server restarts mid-call: clients reconnect by themselves and the room works again.
import { expect, test } from '@playwright/test';
import { expectFramesRising, expectMediaFrom, joinCall, remoteTiles, type Participant } from '../helpers/participant';
import { startServer, type RunningServer } from '../helpers/server';

test('after a server restart on the same port, clients reconnect and a new joiner still gets video', async ({ browser }) => {
  test.setTimeout(120_000);
  let server: RunningServer = await startServer();
  const people: Participant[] = [];
  const roomId = 'e2e-restart-room';
  try {
    const a = await joinCall(browser, server.baseURL, roomId, 'Ada');
    people.push(a);
    const b = await joinCall(browser, server.baseURL, roomId, 'Bob');
    people.push(b);
    await expectMediaFrom(a, b);
    const port = server.port;
    const bIdBefore = await b.peerId();

    await server.kill();
    await expect.poll(() => a.page.evaluate(() => window.__pulsemeet.socketState())).toBe('reconnecting');
    await expect(a.page.getByTestId('connection-banner')).toBeVisible();
    await a.page.screenshot({ path: 'screenshots/reconnecting.png' });
    // Media that was flowing keeps flowing while the signaling server is gone.
    await expectFramesRising(a, bIdBefore);

    server = await startServer({ port });
    for (const p of [a, b]) {
      await expect.poll(() => p.page.evaluate(() => window.__pulsemeet.phase()), { timeout: 30_000 }).toBe('joined');
      await expect(p.page.getByTestId('connection-banner')).toHaveCount(0);
    }
    // Whether or not the server honoured the resume tokens, A and B are connected again.
    await expect(remoteTiles(a.page)).toHaveCount(1);
    await expect(remoteTiles(b.page)).toHaveCount(1);
    await expectMediaFrom(a, b);
    await expectMediaFrom(b, a);

    const c = await joinCall(browser, server.baseURL, roomId, 'Cleo');
    people.push(c);
    await expect(remoteTiles(c.page)).toHaveCount(2);
    await expectMediaFrom(c, a);
    await expectMediaFrom(c, b);
    await expectMediaFrom(a, c);
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});
