// A demo copy served by `autoresearch serve` and open in Chromium at one screen: the setup most page tests
// share. close() stops everything in the reverse order and checks that the server exited cleanly.
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, makeDemoCopy, startServe, watchPageErrors, type DemoCopy, type ServeHandle } from './serve.js';

export interface DemoPage {
  readonly demo: DemoCopy;
  readonly served: ServeHandle;
  readonly browser: Browser;
  readonly page: Page;
  /** Console and page errors seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function openDemoPage(opts: {
  /** The hash route to open, e.g. '/setup'; its view's test id is waited for. */
  readonly route: string;
  readonly waitFor: string;
  readonly height?: number;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<DemoPage> {
  const demo = await makeDemoCopy();
  const served = await startServe({ projectDir: demo.dir, env: opts.env });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1360, height: opts.height ?? 1000 }, colorScheme: 'dark' });
  const errors = watchPageErrors(page);
  await page.goto(`${served.url}#${opts.route}`);
  await page.getByTestId(opts.waitFor).waitFor();
  return {
    demo,
    served,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      expect(await served.stop()).toBe(0);
      await demo.cleanup();
    },
  };
}
