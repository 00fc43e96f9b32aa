// Fail fast, with a clear message, when what the suite needs is missing.
import { existsSync } from 'node:fs';
import { serverBinary, staticDir } from './helpers/server';

export default function globalSetup(): void {
  const bin = serverBinary();
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin}: build it (make build) or set PULSEMEET_BIN`);
  if (!existsSync(`${staticDir()}/index.html`)) throw new Error(`${staticDir()}/index.html missing: run "npm run build" in web/ first`);
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`${chromium} missing: apt-get install -y chromium`);
}
