// Browser tests: Debian's Chromium with a fake camera (2 devices) and microphone, against the real
// C++ server binary that each spec file starts itself (see helpers/server.ts).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // Two cores: one multi-page test at a time, and no retries hiding flakiness.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        // Three fake cameras so a test can switch mid-call. fake_device_1 is a Y16 "depth camera"
        // whose frames WebRTC cannot encode; tests switch between fake_device_0 and fake_device_2.
        '--use-fake-device-for-media-stream=device-count=3',
        '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
