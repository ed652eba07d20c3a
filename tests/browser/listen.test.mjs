// Loads revcast's listening page (a built feed folder) in Debian's
// Chromium through playwright-core, served by a small HTTP server on
// 127.0.0.1 with Range support (the audio element seeks with it).
//
//   SITE_DIR=public/example OUT_DIR=tests/out/x node --test listen.test.mjs
//
// No browser is downloaded: Chromium is /usr/bin/chromium (CHROMIUM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const SITE = path.resolve(process.env.SITE_DIR || 'public/example');
const OUT = path.resolve(process.env.OUT_DIR || '.');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'text/xml; charset=utf-8',
  '.xsl': 'text/xml; charset=utf-8',
  '.mp3': 'audio/mpeg',
  '.vtt': 'text/vtt; charset=utf-8',
  '.srt': 'application/x-subrip; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.m3u': 'audio/x-mpegurl',
};

// Serves SITE read-only, with single byte ranges (RFC 9110 "bytes=a-b").
function serve(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.resolve(SITE, rel);
  if (!file.startsWith(SITE + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  const size = fs.statSync(file).size;
  const headers = {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  const range = req.headers.range;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    let start, end;
    if (m && m[1] !== '') {
      start = Number(m[1]);
      end = m[2] !== '' ? Math.min(Number(m[2]), size - 1) : size - 1;
    } else if (m && m[2] !== '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    }
    if (start === undefined || start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
}

// The items of feed.xml: enclosure file (relative), itunes:duration, chapters file.
function feedItems() {
  const xml = fs.readFileSync(path.join(SITE, 'feed.xml'), 'utf8');
  const self = /<atom:link href="([^"]*)feed\.xml"/.exec(xml)[1];
  const rel = (u) => (u.startsWith(self) ? u.slice(self.length) : u);
  return [...xml.matchAll(/<item>([\s\S]*?)<\/item>/g)].map(([, item]) => ({
    file: rel(/<enclosure url="([^"]+)"/.exec(item)[1]),
    duration: Number(/<itunes:duration>(\d+)<\/itunes:duration>/.exec(item)[1]),
    chapters: rel(/<podcast:chapters url="([^"]+)"/.exec(item)[1]),
  }));
}

let server, base, context, page, userDir;
const problems = [];

before(async () => {
  server = http.createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'revcast-chromium-'));
  context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
    timeout: 60000,
  });
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Media requests that the player itself aborts (it re-requests ranges) are not failures.
    if (!/ERR_ABORTED/.test(r.failure()?.errorText || '')) problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:'))
      problems.push(`request outside the site: ${r.url()}`);
  });
  await page.goto(base + 'index.html', { waitUntil: 'load' });
});

after(async () => {
  if (context) await context.close();
  if (server) server.close();
  if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
});

test('every episode has a player whose duration is the feed\'s itunes:duration (within 1 s)', async () => {
  const items = feedItems();
  assert.ok(items.length >= 2, 'the example feed has two episodes');
  const players = await page.$$eval('audio', (as) => as.map((a) => a.getAttribute('src')));
  assert.deepEqual(players, items.map((i) => i.file), 'one player per item, newest first');
  await page.waitForFunction(() => [...document.querySelectorAll('audio')].every((a) => a.readyState >= 1),
    null, { timeout: 30000 });
  const durations = await page.$$eval('audio', (as) => as.map((a) => a.duration));
  items.forEach((it, i) => {
    assert.ok(Math.abs(durations[i] - it.duration) <= 1,
      `${it.file}: player says ${durations[i]} s, feed says ${it.duration} s`);
  });
});

test('the captions track loads its cues', async () => {
  await page.waitForFunction(() => [...document.querySelectorAll('audio')].every((a) => {
    const t = a.querySelector('track');
    return t && t.readyState === 2 && t.track.cues && t.track.cues.length > 0;
  }), null, { timeout: 30000 });
  const counts = await page.$$eval('audio track', (ts) => ts.map((t) => t.track.cues.length));
  counts.forEach((n) => assert.ok(n > 5, `only ${n} cues`));
});

test('clicking the third paragraph plays from that paragraph\'s chapter', async () => {
  // The review without headings has one chapter per paragraph (after the intro).
  const items = feedItems();
  let done = 0;
  for (const [i, it] of items.entries()) {
    const chapters = JSON.parse(fs.readFileSync(path.join(SITE, it.chapters), 'utf8')).chapters;
    const art = page.locator('article.episode').nth(i);
    const paras = art.locator('.text > p[data-start]');
    const headings = await art.locator('.text :is(h2,h3,h4,h5,h6)').count();
    if (headings || chapters.length !== (await paras.count()) + 1) continue;
    const want = chapters[3].startTime;
    const third = paras.nth(2);
    await third.scrollIntoViewIfNeeded();
    await third.click();
    const audio = art.locator('audio');
    await audio.evaluate((a) => new Promise((resolve) => {
      const ok = () => !a.seeking && a.currentTime > 0;
      if (ok()) return resolve();
      const check = () => { if (ok()) resolve(); else setTimeout(check, 20); };
      check();
    }));
    const now = await audio.evaluate((a) => a.currentTime);
    assert.ok(Math.abs(now - want) <= 0.25, `player at ${now} s, chapter 3 starts at ${want} s`);
    await page.waitForFunction((el) => el.classList.contains('now'), await third.elementHandle());
    await audio.evaluate((a) => a.pause());
    done++;
  }
  assert.ok(done >= 1, 'an episode with one chapter per paragraph was found');
});

test('screenshots of the page and an episode page', async () => {
  fs.mkdirSync(OUT, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(OUT, 'index.png'), fullPage: true });
  const href = await page.locator('article.episode h2 a').first().getAttribute('href');
  const ep = await context.newPage();
  ep.on('console', (m) => { if (m.type() === 'error') problems.push(`console (episode page): ${m.text()}`); });
  ep.on('pageerror', (e) => problems.push(`page error (episode page): ${e.message}`));
  await ep.setViewportSize({ width: 420, height: 900 });
  await ep.goto(base + href, { waitUntil: 'load' });
  await ep.waitForFunction(() => document.querySelector('audio').readyState >= 1);
  assert.ok(await ep.locator('.text [data-start]').count() > 3, 'the episode page has timed text');
  await ep.screenshot({ path: path.join(OUT, 'episode-narrow.png'), fullPage: true });
  await ep.close();
  assert.ok(fs.statSync(path.join(OUT, 'index.png')).size > 10000);
});

test('feed.xml opened in the browser reads as a page (its XSL stylesheet)', async (t) => {
  const feed = await context.newPage();
  const errors = [];
  feed.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  feed.on('pageerror', (e) => errors.push(e.message));
  if (!(await feed.evaluate(() => typeof XSLTProcessor !== 'undefined'))) {
    await feed.close();
    t.skip('this Chromium has no XSLT any more');
    return;
  }
  await feed.goto(base + 'feed.xml', { waitUntil: 'load' });
  assert.match(await feed.title(), /\(podcast feed\)$/);
  assert.match(await feed.locator('.hint').innerText(), /This is a podcast feed/);
  assert.equal(await feed.locator('article.episode').count(), feedItems().length);
  await feed.screenshot({ path: path.join(OUT, 'feed.png'), fullPage: true });
  await feed.close();
  assert.deepEqual(errors, []);
});

test('no console errors, failed requests or requests outside the site', () => {
  assert.deepEqual(problems, []);
});
