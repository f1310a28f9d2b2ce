// Time-travel benchmark in headless Chromium (software rendering) against the release dist/: a 10-minute run
// with crashes, a partition and client writes, at 5 and at 51 nodes; then jumps to ten places in it by the
// scrubber, each timed from the input event to the frame painted after it (see `jump`). Prints the figures (issue 10's targets: 30 ms at 5 nodes, 100 ms at 51); it also
// fails if a jump does not land where it was asked to, or the page reports an error.
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUN_MS = Number(process.env.JUMP_RUN_MS || 600_000);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--no-first-run'] });
const server = await serve(process.env.DIST || 'dist');
let failed = false;

async function recordRun(page, nodes) {
  await page.click('#tab-cluster');
  await page.fill('#reset-size', String(nodes));
  await page.click('#reset');
  await page.waitForFunction((n) => window.raft.nodes().length === n, nodes);
  await page.evaluate(() => window.raft.pause());
  // The script of the run, by virtual second: faults and writes, so the checkpoints hold real logs.
  return page.evaluate(async ({ runMs, nodes }) => {
    const r = window.raft;
    const t0 = performance.now();
    const chunkMs = 5_000;
    for (let t = 0; t < runMs; t += chunkMs) {
      const s = t / 1000;
      if (s % 60 === 20) r.kill(2);
      if (s % 60 === 35) r.restart(2);
      if (s === 300) r.partition([[1, 2], Array.from({ length: nodes - 2 }, (_, i) => i + 3)]);
      if (s === 360) r.heal();
      r.set(s % 5, s);
      r.send(`note ${s}`);
      r.advance(chunkMs);
    }
    return { wallMs: performance.now() - t0, status: r.status() };
  }, { runMs: RUN_MS, nodes });
}

/** Jumps by the scrubber to `ms` and times it up to the painted frame. The input event is dispatched at the
 *  start of a frame, as Chromium aligns a drag's input events with animation frames; the task queued after that
 *  frame's rendering runs once it is painted. */
async function jump(page, ms) {
  return page.evaluate(async (ms) => {
    const slider = document.getElementById('scrub');
    const took = await new Promise((res) => requestAnimationFrame(() => {
      const t0 = performance.now();
      slider.value = String(ms);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      const handled = performance.now() - t0;
      setTimeout(() => res([performance.now() - t0, handled]), 0);
    }));
    return { took: took[0], handled: took[1], now: window.raft.status().time_ms };
  }, ms);
}

for (const nodes of [5, 51]) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => window.raft && document.querySelector('svg.cluster'));
  const run = await recordRun(page, nodes);
  const times = [];
  // Spread over the run, back and forth (a jump forward past now restores a later checkpoint too).
  for (const f of [0.93, 0.07, 0.51, 0.33, 0.99, 0.01, 0.72, 0.45, 0.6, 0.18]) {
    const target = Math.floor((RUN_MS * f) / 100) * 100; // the slider's step is 100 ms
    const { took, handled, now } = await jump(page, target);
    if (Math.abs(now - target) > 0.5) {
      console.error(`FAIL jump to ${target} ms at ${nodes} nodes landed at ${now} ms`);
      failed = true;
    }
    times.push(took);
    if (process.env.JUMP_VERBOSE) console.log(`  ${nodes} nodes: to ${target} ms in ${took.toFixed(1)} ms (the jump itself ${handled.toFixed(1)} ms)`);
  }
  if (errors.length) {
    console.error(`FAIL page errors at ${nodes} nodes: ${errors.join('; ')}`);
    failed = true;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `bench jump ${nodes} nodes in a ${RUN_MS / 60000}-minute run: recorded_in_ms=${run.wallMs.toFixed(0)} ` +
      `events=${run.status.events} jump_to_paint_avg_ms=${avg.toFixed(1)} max_ms=${sorted.at(-1).toFixed(1)} ` +
      `median_ms=${sorted[Math.floor(sorted.length / 2)].toFixed(1)}`,
  );
  await context.close();
}

await browser.close();
server.close();
process.exit(failed ? 1 : 0);
