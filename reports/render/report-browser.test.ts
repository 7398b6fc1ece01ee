import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../lib/run-format.ts';
import { renderRun } from './render-run.ts';
import { renderTrend } from './render-trend.ts';

// Opens rendered reports in headless Chromium: every chart container must hold an <svg>, the page
// must log no console errors and load nothing but the file itself. playwright-core gives each launch
// a fresh temporary profile.

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = join(import.meta.dirname, 'fixtures');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let browser: Browser;
let work: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it with \`apt-get install chromium\` (or run \`windshear setup\`), then rerun the tests`,
    );
  }
  work = await mkdtemp(join(tmpdir(), 'ws-report-browser-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function openReport(fixture: string, screenshot?: string) {
  const dir = join(work, fixture);
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await renderRun(dir);
  return open(join(dir, 'report.html'), screenshot);
}

async function open(file: string, screenshot?: string) {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1040, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  const containers = await page.locator('div.chart').count();
  // Wait for the charts to draw; the assertions below report which ones did not.
  await page
    .waitForFunction(`document.querySelectorAll('div.chart svg').length >= ${containers}`, undefined, {
      timeout: 15_000,
    })
    .catch(() => undefined);
  const charts = await page.$$eval('div.chart', (els) =>
    els.map((el) => ({
      id: el.id,
      svg: el.querySelector('svg') !== null,
      marks: el.querySelectorAll('svg path, svg text').length,
    })),
  );
  if (screenshot) {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  }
  await page.close();
  return { url, charts, consoleErrors, requests };
}

describe('report.html in headless Chromium', () => {
  it('draws every chart of the failed run offline, without console errors', async () => {
    const r = await openReport('failed-slo', 'report.png');
    expect(r.charts.length).toBeGreaterThanOrEqual(7);
    expect(r.charts.filter((c) => !c.svg).map((c) => c.id)).toEqual([]);
    expect(r.charts.every((c) => c.marks > 5)).toBe(true);
    expect(r.consoleErrors).toEqual([]);
    expect(r.requests).toEqual([r.url]);
  });

  it('draws the capacity curve and every other chart of the capacity run', async () => {
    const r = await openReport('capacity', 'report-capacity.png');
    expect(r.charts.map((c) => c.id)).toContain('chart-capacity-0');
    expect(r.charts.filter((c) => !c.svg).map((c) => c.id)).toEqual([]);
    expect(r.consoleErrors).toEqual([]);
    expect(r.requests).toEqual([r.url]);
  });

  it('draws every chart of the trend index', async () => {
    const runs = join(work, 'trend');
    const base = JSON.parse(await readFile(join(FIXTURES, 'passing', 'results.json'), 'utf8')) as RunResults;
    for (const [i, p95] of [180, 184, 178, 182, 260].entries()) {
      const dir = join(runs, 'broker-loss', `2025030${i + 1}T120000Z`);
      await mkdir(dir, { recursive: true });
      base.slos[0]!.measured = p95;
      await writeFile(join(dir, 'results.json'), JSON.stringify(base));
    }
    const { file } = await renderTrend(runs);
    const r = await open(file, 'trend.png');
    expect(r.charts.length).toBeGreaterThanOrEqual(5);
    expect(r.charts.filter((c) => !c.svg).map((c) => c.id)).toEqual([]);
    expect(r.consoleErrors).toEqual([]);
    expect(r.requests).toEqual([r.url]);
  });
});
