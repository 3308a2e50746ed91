import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium: `npm test` installs it when missing (as root); playwright cannot download browsers here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags that work on this kind of machine (root, no GPU, no network but loopback): without
 * the background-networking ones chromium keeps trying to reach Google's hosts.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run the tests with \`npm test\` as root (it installs Debian's chromium), or \`sudo apt-get install chromium\``,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}
