// End-to-end tests in Debian's Chromium (never a downloaded browser), against the stack that
// scripts/test.mjs starts (E2E_BASE_URL).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  // The whole run: a hung test must end as a failure before CI's own clock runs out.
  globalTimeout: 40 * 60_000,
  workers: 1,
  retries: 0,
  outputDir: '../reports/e2e-artifacts',
  reporter: [['list'], ['json'], ['html', { open: 'never', outputFolder: '../reports/e2e-html' }]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:5000',
    viewport: { width: 1280, height: 900 },
    screenshot: 'only-on-failure',
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
      ],
    },
  },
});
