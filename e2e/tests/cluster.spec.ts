// Two people on two server instances (no load balancer: each page talks to its own instance),
// sharing the room through a real Redis, are in a working call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectMediaFrom, joinCall, tileOf, type Participant } from '../helpers/participant';
import { startRedis, type RunningRedis } from '../helpers/redis';
import { startServer, type RunningServer } from '../helpers/server';

let redis: RunningRedis;
const servers: RunningServer[] = [];
const people: Participant[] = [];

test.beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    const server = await startServer({
      env: { REDIS_ENABLED: 'true', REDIS_ADDR: redis.addr, REDIS_CHANNEL: 'e2e', REDIS_HEARTBEAT_SECONDS: '3', LOG_LEVEL: 'debug' },
    });
    servers.push(server);
    await expect.poll(async () => (await fetch(`${server.baseURL}/readyz`)).status).toBe(200);
  }
});

test.afterAll(async () => {
  // The servers' logs (debug: every bus event) stay behind for whoever reads a failure.
  mkdirSync('test-results', { recursive: true });
  servers.forEach((s, i) => writeFileSync(`test-results/cluster-server-${i}.log`, s.logs.join('\n')));
  for (const p of people) await p.close().catch(() => undefined);
  for (const s of servers) await s.stop();
  await redis?.stop();
});

test('two people on two instances see and hear each other', async ({ browser }) => {
  // Two browsers against two servers and Redis on a shared two-core machine.
  test.slow();
  const roomId = `e2e-cluster-${Date.now().toString(36)}`;
  const [first, second] = servers as [RunningServer, RunningServer];
  const a = await joinCall(browser, first.baseURL, roomId, 'Ada on one');
  people.push(a);
  const b = await joinCall(browser, second.baseURL, roomId, 'Bob on two');
  people.push(b);
  await expectMediaFrom(a, b);
  await expectMediaFrom(b, a);
  await expect(tileOf(a.page, await b.peerId()).getByTestId('tile-name')).toHaveText('Bob on two');
  await expect(tileOf(b.page, await a.peerId()).getByTestId('tile-name')).toHaveText('Ada on one');
  // The signaling really crossed instances through Redis.
  expect(await first.metric('pulsemeet_redis_received_total')).toBeGreaterThan(0);
  expect(await second.metric('pulsemeet_redis_received_total')).toBeGreaterThan(0);
});
