// A socket refused at the upgrade (the browser only sees it close) is diagnosed once, and a
// refusal stops the reconnect loop; anything else keeps the ordinary backoff.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakes';
import { SignalingClient } from './SignalingClient';

function make(diagnoseRefusal: () => Promise<string | null>) {
  FakeSocket.instances = [];
  const client = new SignalingClient({ url: 'ws://t/ws?token=x', createSocket: (u) => new FakeSocket(u), random: () => 0, diagnoseRefusal });
  const refused: string[] = [];
  client.on('refused', (code) => refused.push(code));
  return { client, refused, sock: () => FakeSocket.instances.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SignalingClient refusal diagnosis', () => {
  it('a refused upgrade stops retrying and reports the code', async () => {
    const diagnose = vi.fn(() => Promise.resolve('token-invalid'));
    const t = make(diagnose);
    t.client.join('room-1', 'A');
    t.sock().drop(1006);
    await vi.waitFor(() => expect(t.refused).toEqual(['token-invalid']));
    expect(t.client.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(diagnose).toHaveBeenCalledTimes(1);
  });

  it('a socket that opened and then dropped is not diagnosed', () => {
    const diagnose = vi.fn(() => Promise.resolve('token-expired'));
    const t = make(diagnose);
    t.client.join('room-1', 'A');
    t.sock().open();
    t.sock().drop(1006);
    expect(diagnose).not.toHaveBeenCalled();
    expect(t.client.state).toBe('reconnecting');
    t.client.close();
  });

  it('an answer arriving after close() is ignored', async () => {
    let answer: (code: string | null) => void = () => undefined;
    const t = make(() => new Promise((resolve) => (answer = resolve)));
    t.client.join('room-1', 'A');
    t.sock().drop(1006);
    t.client.close();
    answer('token-expired');
    await Promise.resolve();
    await Promise.resolve();
    expect(t.refused).toEqual([]);
    expect(t.client.state).toBe('closed');
  });
});
