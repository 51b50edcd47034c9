/**
 * End to end, in a real browser: Debian's Chromium driven by playwright-core over the built
 * site (run `pnpm build` first). Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from './static-server.js';

const docs = join(import.meta.dirname, '..');
const dist = join(docs, '.vitepress', 'dist');
const artifacts = join(docs, 'test-artifacts');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: StaticServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist} has no index.html: build the site first (pnpm --filter docs build)`);
  }
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(artifacts, { recursive: true });
  server = await serveStatic(dist);
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--headless=new'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const shot = (name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe('the built site', () => {
  it('opens the home page', async () => {
    await page.goto(`${server.url}/`);
    await expect(page.title()).resolves.toContain('CvHRC');
    await page.getByRole('link', { name: 'Start with the concepts' }).waitFor();
    await shot('home');
  });

  it('shows the CvHRC diagram on the concepts page', async () => {
    await page.goto(`${server.url}/concepts/cvhrc`);
    const img = page.locator('img[src*="cvhrc-scheme.svg"]');
    await img.waitFor();
    const width = await img.evaluate((el) => (el as HTMLImageElement).naturalWidth);
    expect(width).toBeGreaterThan(0);
    await shot('concepts-cvhrc');
  });

  it('lists HitRatioCurve in the API of @cvhrc/core', async () => {
    await page.goto(`${server.url}/api/`);
    await page.locator('.vp-doc a', { hasText: '@cvhrc/core' }).click();
    await page.waitForURL(/\/api\/core\/?$/);
    // Client-side navigation: the URL changes before the new page is rendered.
    await page.locator('.vp-doc h1', { hasText: '@cvhrc/core' }).waitFor();
    const heading = page.locator('.vp-doc h3', { hasText: /^HitRatioCurve/ });
    await expect(heading.count()).resolves.toBe(1);
    await expect(heading.getAttribute('id')).resolves.toBe('hitratiocurve');
    // Its members are documented under it: the lookup and the page need's input.
    const doc = (await page.locator('.vp-doc').textContent()) ?? '';
    expect(doc).toMatch(/fromPoints\(/);
    expect(doc).toMatch(/pageNeed\(/);
    await heading.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'api-core-hitratiocurve.png') });
  });

  it('shows a layer page with its package README included', async () => {
    await page.goto(`${server.url}/layers/mm`);
    await expect(page.locator('.vp-doc').textContent()).resolves.toContain('ReclaimPolicy');
  });

  it('shows the reproduced results', async () => {
    await page.goto(`${server.url}/results`);
    await expect(page.locator('.vp-doc').textContent()).resolves.toContain('Table 3');
    expect(await page.locator('.vp-doc table').count()).toBeGreaterThan(0);
    const imgs = page.locator('.vp-doc img[src$=".svg"]');
    expect(await imgs.count()).toBeGreaterThan(0);
    await shot('results');
  });
});

/** Runs the demo with `contexts` containers and checks that every curve and need is drawn. */
async function runDemo(engine: string, workload: string | null, contexts: number, limit: number) {
  await page.goto(`${server.url}/demo`);
  const select = page.getByTestId('workload');
  await select.locator('option').first().waitFor({ state: 'attached' });
  if ((await page.getByTestId('engine').count()) > 0) {
    await page.getByTestId('engine').selectOption(engine);
  }
  if (workload !== null) await select.selectOption(workload);
  await page.getByTestId('contexts').selectOption(String(contexts));
  await page.getByTestId('limit').fill(String(limit));
  await page.getByTestId('run').click();
  await page.getByTestId('status').filter({ hasText: /done/ }).waitFor({ timeout: 90_000 });
  await expect(page.getByTestId('error').count()).resolves.toBe(0);

  const tracker = page.getByTestId('tracker-curve');
  const exact = page.getByTestId('exact-curve');
  await expect(tracker.count()).resolves.toBe(contexts);
  await expect(exact.count()).resolves.toBe(contexts);
  for (let i = 0; i < contexts; i++) {
    // A drawn curve: several steps, and it rises above zero hit ratio somewhere.
    const d = (await tracker.nth(i).getAttribute('d')) ?? '';
    expect(d.match(/[HV]/g)?.length ?? 0).toBeGreaterThan(4);
    const box = await tracker.nth(i).boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(10);
  }
  const needs = await page.getByTestId('page-need').allTextContents();
  expect(needs).toHaveLength(contexts);
  for (const n of needs) expect(n).toMatch(/^[\d,]+ pages \([\d.]+ MiB\)$/);
  expect(needs.some((n) => !n.startsWith('0 pages'))).toBe(true);
  return (await page.getByTestId('status').textContent()) ?? '';
}

describe('the live demo', () => {
  it('runs the emulator with 3 containers in a worker: tracker and exact curves, page needs', async () => {
    const status = await runDemo('emulator', 'kernel-compile', 3, 3);
    expect(status).toMatch(/simulated 3\.00 s/);
    const speed = /([\d.]+) simulated s per real s/.exec(status)?.[1];
    expect(Number(speed)).toBeGreaterThan(0);
    console.log(
      `demo speed, kernel-compile × 3 contexts on 256 MiB: ${speed} simulated s per real s`,
    );
    await expect(page.getByTestId('mae').count()).resolves.toBe(3);
    await shot('demo-emulator');
  });

  it('runs the tracker on synthetic traces in a worker and draws every curve', async () => {
    const status = await runDemo('trace', 'loop', 3, 300_000);
    expect(status).toMatch(/900,000 references/);
    await shot('demo-trace');
  });

  it('has no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
