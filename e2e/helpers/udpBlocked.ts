// A network namespace made by the test for one Chromium whose UDP is blocked, as on a corporate
// network that lets only TCP out. The namespace is joined to this one by a veth pair on a private
// /30 (nothing else reaches it: no route beyond the pair), and nftables inside it drops every UDP
// packet in and out. A wrapper script starts Chromium inside it; Playwright drives it over its
// pipe as usual. Needs root (CAP_NET_ADMIN), `ip` and `nft` (scripts/deps.sh installs nftables).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import config from '../playwright.config';

export interface UdpBlockedNetwork {
  /** The address of this (the test's) side of the pair: the server listens here. */
  hostAddress: string;
  /** Chromium inside the namespace, UDP dropped. */
  chromiumPath: string;
  remove(): void;
}

function run(args: string[], input?: string): void {
  execFileSync(args[0]!, args.slice(1), { input, stdio: ['pipe', 'ignore', 'pipe'] });
}

export function makeUdpBlockedNetwork(): UdpBlockedNetwork {
  const id = `${process.pid % 10000}${Math.floor(Math.random() * 90 + 10)}`;
  const ns = `pmnoudp${id}`;
  const hostIf = `pmh${id}`;
  const nsIf = `pmn${id}`;
  // 10.213.<a>.<b*4>/30: two addresses, unlikely to meet another run's.
  const a = Math.floor(Math.random() * 250) + 1;
  const b = Math.floor(Math.random() * 60) * 4;
  const hostAddress = `10.213.${a}.${b + 1}`;
  const nsAddress = `10.213.${a}.${b + 2}`;
  const dir = mkdtempSync(join(tmpdir(), 'pm-noudp-'));
  const remove = () => {
    try {
      run(['ip', 'netns', 'del', ns]);
    } catch {
      /* already gone */
    }
    try {
      run(['ip', 'link', 'del', hostIf]);
    } catch {
      /* went with the namespace */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run(['ip', 'link', 'set', nsIf, 'netns', ns]);
    run(['ip', 'addr', 'add', `${hostAddress}/30`, 'dev', hostIf]);
    run(['ip', 'link', 'set', hostIf, 'up']);
    run(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf]);
    run(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
    run(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], ['table inet pulsemeet_noudp {', '  chain out { type filter hook output priority 0; policy accept; meta l4proto udp drop; }', '  chain in { type filter hook input priority 0; policy accept; meta l4proto udp drop; }', '}', ''].join('\n'));
    const chromiumPath = join(dir, 'chromium-noudp');
    const real = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    writeFileSync(chromiumPath, `#!/bin/sh\nexec ip netns exec ${ns} ${real} "$@"\n`);
    chmodSync(chromiumPath, 0o755);
    return { hostAddress, chromiumPath, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * The suite's Chromium flags minus `omit`, plus `extra`; `executablePath` to run it inside a
 * namespace.
 */
export function launchChromium(extra: string[], executablePath?: string, omit: string[] = []): Promise<Browser> {
  const base = config.use?.launchOptions ?? {};
  const args = (base.args ?? []).filter((a) => !omit.includes(a));
  return chromium.launch({ ...base, executablePath: executablePath ?? base.executablePath, args: [...args, ...extra] });
}
