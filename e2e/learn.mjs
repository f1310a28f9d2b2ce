// Learn mode end to end, in headless Chromium against the release dist/: the whole course walked with the
// keyboard only; every exercise solved through the page (keys and clicks, never window.raft) and graded right,
// then a wrong attempt at each and its explanation; a question answered wrong, then right; leaving the course
// and coming back; a question shown to the room; axe on the course card. Screenshots of every chapter at
// 1920×1080 go to screenshots/learn-*.png. Run by `./dev test`; E2E_ONLY=regex runs matching tests alone.
import { chromium, devices } from 'playwright-core';
import fs from 'node:fs';
import { serve } from './serve.mjs';

const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });
const COURSE = JSON.parse(fs.readFileSync('course/course.json', 'utf8'));
const server = await serve('dist');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--disable-gpu'] });
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
let failed = 0;
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

async function test(name, fn) {
  if (ONLY && !ONLY.test(name)) return;
  const started = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

async function openAt(hash, options = { viewport: { width: 1920, height: 1080 } }) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + hash);
  await page.waitForSelector('#learn .learn-body #learn-text, #learn .learn-body #exercise-task', { timeout: 30000 });
  return { page, context, errors };
}

const progress = (page) => page.textContent('#learn-progress');
const hash = (page) => page.evaluate(() => location.hash);
const pagesOf = (ch) => ch.steps.length + (ch.exercises || []).length;

/** Waits until the page shows course page `n` (1-based) of chapter `id` and its content has loaded. */
async function onPage(page, id, n) {
  await page.waitForFunction((h) => location.hash === h, `#learn/${id}/${n}`, { timeout: 10000 });
  await page.waitForFunction(() => !document.querySelector('.learn-body .muted')?.textContent.startsWith('Loading'));
}

await test('learn: the whole course walked with the keyboard only (→, Page Down, Space; ← and Page Up back)', async () => {
  const { page, context, errors } = await openAt('#learn/consensus/1');
  const total = COURSE.chapters.reduce((n, ch) => n + pagesOf(ch), 0);
  let seen = 0;
  const keys = ['ArrowRight', 'PageDown', ' '];
  const nextAt = new Set();
  for (const [ci, ch] of COURSE.chapters.entries()) {
    for (let p = 1; p <= pagesOf(ch); p++) {
      await onPage(page, ch.id, p);
      seen++;
      const text = await progress(page);
      assert(text.includes(`page ${p} of ${pagesOf(ch)}`), `${ch.id}/${p}: progress says "${text}"`);
      const title = await page.textContent('#learn-outline');
      assert(title.includes(`Chapter ${ci + 1} of ${COURSE.chapters.length}`) && title.includes(ch.title), title);
      if (p === 1) {
        await page.waitForTimeout(400); // a long set-up loads in slices: let the page settle before the picture
        await page.screenshot({ path: `${SHOTS}/learn-${ch.id}.png` });
      }
      const b = await page.locator('#learn-next').boundingBox();
      nextAt.add(`${Math.round(b.x)},${Math.round(b.y)}`);
      // Focus stays on the page body: the keys are the only input.
      await page.keyboard.press(keys[seen % keys.length]);
    }
  }
  assert(seen === total, `walked ${seen} pages of ${total}`);
  assert(nextAt.size === 1, `Next moved between pages: ${[...nextAt].join(' ')}`);
  // The last page stays the last page (Next is disabled); back with ← and Page Up.
  const last = COURSE.chapters.at(-1);
  await onPage(page, last.id, pagesOf(last));
  assert(await page.isDisabled('#learn-next'), 'Next is disabled on the last page');
  await page.keyboard.press('ArrowLeft');
  await onPage(page, last.id, pagesOf(last) - 1);
  await page.keyboard.press('PageUp');
  await onPage(page, last.id, pagesOf(last) - 2);
  assert(errors.length === 0, errors.join('\n'));
  await context.close();
});

await test('learn: a step plays its scenario to its end and its text matches the run', async () => {
  const { page, context } = await openAt('#learn/election/3');
  // "S5 ... wins": the step plays from 100 to 300 ms, then pauses there.
  await page.waitForFunction(() => window.raft.status().time_ms >= 300 && document.querySelector('#play').textContent.includes('Play'), null, { timeout: 30000 });
  const st = await page.evaluate(() => window.raft.status());
  assert(st.leader === 5 && Math.abs(st.time_ms - 300) < 1, JSON.stringify(st));
  await context.close();
});

await test('learn: a question answered wrong, then right; shown to the room', async () => {
  const { page, context } = await openAt('#learn/election/2');
  await page.click('#question-room');
  const box = await page.locator('#question').boundingBox();
  assert(box.width >= 1900 && box.height >= 1000, `the room view fills the screen: ${JSON.stringify(box)}`);
  await page.screenshot({ path: `${SHOTS}/learn-question-room.png` });
  await page.keyboard.press('Escape');
  await page.click('[data-choice="0"]'); // S1: wrong (S5 wins)
  await page.waitForSelector('#question-verdict', { timeout: 60000 });
  assert((await page.textContent('#question-verdict')).startsWith('Not this time'), 'marked wrong');
  assert(await page.locator('[data-choice="4"].right').count() === 1, 'S5 is shown as the right answer');
  assert(await page.locator('[data-choice="0"].wrong').count() === 1, 'S1 is shown as the wrong choice');
  await page.click('#learn-replay');
  await page.waitForSelector('#question button[data-choice="4"]:not([disabled])');
  await page.click('[data-choice="4"]');
  await page.waitForSelector('#question-verdict', { timeout: 60000 });
  assert((await page.textContent('#question-verdict')).startsWith('Right'), 'marked right');
  await context.close();
});

// ---- exercises through the page ---------------------------------------------------------------------------

async function pausePlay(page, playing) {
  const label = await page.textContent('#play');
  if (label.includes('Pause') === !playing) await page.click('#play');
}
async function blur(page) { await page.evaluate(() => document.activeElement?.blur()); }
const now = (page) => page.evaluate(() => window.raft.status().time_ms); // reads only the clock

/** One command of an attempt, done the way a student would. */
async function act(page, cmd) {
  const select = async (n) => { await blur(page); await page.keyboard.press(String(n)); };
  switch (cmd.cmd) {
    case 'timeout': await select(cmd.node); await page.keyboard.press('t'); break;
    case 'crash': await select(cmd.node); await page.keyboard.press('k'); break;
    case 'restart': await select(cmd.node); await page.keyboard.press('r'); break;
    case 'add_node': await blur(page); await page.keyboard.press('a'); break;
    case 'heal': await blur(page); await page.keyboard.press('h'); break;
    case 'transfer_leader': await select(cmd.to); await page.click('#transfer-here'); break;
    case 'partition': {
      await page.click('#tab-network');
      for (const [g, nodes] of cmd.groups.entries()) {
        for (const n of nodes) {
          const chip = page.locator(`.group-chip[data-node="${n}"]`);
          const cur = Number((await chip.getAttribute('class')).match(/g(\d)/)[1]);
          for (let i = 0; i < (g - cur + 3) % 3; i++) await chip.click();
        }
      }
      await page.click('#partition-apply');
      break;
    }
    case 'request': {
      await page.click('#tab-clients');
      if (cmd.to) {
        await page.fill('#send-text', `v${cmd.op.value}`);
        await page.selectOption('#send-to', String(cmd.to));
        await page.click('#send-submit');
      } else {
        await page.fill('#set-index', String(cmd.op.index));
        await page.fill('#set-value', String(cmd.op.value));
        await page.click('#set-submit');
      }
      break;
    }
    default: throw new Error(`no page action for ${cmd.cmd}`);
  }
  await blur(page);
}

/**
 * Does an attempt's steps at their times after the exercise's start (`start_ms`), as `raft-sim course` checks
 * them, then plays on at 1×. The run is paused, taken back to the start if it has played past it (an exercise
 * plays as it loads), and moved on to each step's exact time. Played in real time, a step landed as late as the
 * machine was slow, and a late one can change the outcome: in CI a lone timeout meant to win an election came
 * while its node lacked the leader's newest entry, lost, and the next election split.
 */
async function attempt(page, startMs, steps) {
  await pausePlay(page, false);
  await page.selectOption('#speed', '1');
  if (await now(page) > startMs) {
    await page.evaluate((ms) => window.raft.scrub(ms), startMs);
    await page.waitForFunction((ms) => window.raft.status().time_ms === ms, startMs);
  }
  const groups = new Map();
  for (const s of steps) groups.set(s.after_ms, [...(groups.get(s.after_ms) || []), s.do]);
  for (const [after, cmds] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const ahead = startMs + after - await now(page);
    if (ahead > 0) await page.evaluate((ms) => window.raft.advance(ms), ahead);
    for (const c of cmds) await act(page, c);
  }
  await pausePlay(page, true);
}

for (const [ci, ch] of COURSE.chapters.entries()) {
  for (const [ei, ex] of (ch.exercises || []).entries()) {
    await test(`learn: exercise ${ex.id} solved through the page, then a wrong attempt explained`, async () => {
      const n = ch.steps.length + ei + 1;
      const { page, context, errors } = await openAt(`#learn/${ch.id}/${n}`);
      await page.waitForSelector('#exercise-grade');
      assert(!(await page.textContent('#exercise-grade')).includes('Solved'), 'not solved before anything is done');
      await attempt(page, ex.start_ms, ex.solution.steps);
      await page.waitForSelector('#exercise-grade.solved', { timeout: 30000 })
        .catch(async () => { throw new Error(`not solved: ${await page.textContent('#exercise-grade')} (commands: ${JSON.stringify(await page.evaluate(() => window.raft.recorded()))})`); });
      if (ci === 1 && ei === 0) await page.screenshot({ path: `${SHOTS}/learn-exercise-solved.png` });
      await page.click('#exercise-retry');
      await page.waitForFunction(() => document.querySelector('#exercise-grade')?.textContent.startsWith('Not yet'));
      assert(await page.locator('#hints li').count() === 1, 'Start again shows the first hint');
      await attempt(page, ex.start_ms, ex.wrong.steps);
      const want = ex.wrong.feedback_contains;
      await page.waitForFunction((w) => document.querySelector('#exercise-grade')?.textContent.includes(w), want, { timeout: 30000 })
        .catch(async () => { throw new Error(`feedback lacks "${want}": ${await page.textContent('#exercise-grade')}`); });
      assert(!(await page.textContent('#exercise-grade')).includes('Solved'), 'the wrong attempt is not graded solved');
      if (want === 'rules it out') {
        assert(await page.locator('#exercise-grade.failed').count() === 1, 'a forbidden action fails the attempt');
        await page.waitForFunction((n) => document.querySelectorAll('#hints li').length >= n, Math.min(2, ex.hints.length), { timeout: 5000 })
          .catch(() => { throw new Error('a failed attempt shows the next hint'); });
      }
      assert(errors.length === 0, errors.join('\n'));
      await context.close();
    });
  }
}

await test('learn: leave the course, play with the cluster, come back to the same page', async () => {
  const { page, context } = await openAt('#learn/failures/3');
  await page.click('#learn-leave');
  assert(await page.locator('#learn').count() === 0, 'the course card is gone');
  assert(!(await hash(page)).startsWith('#learn'), 'the address no longer names a course page');
  await page.keyboard.press('1'); await page.keyboard.press('k'); // the sandbox works as usual
  await page.click('#learn-open');
  await onPage(page, 'failures', 3);
  await context.close();
});

await test('learn: misconceptions show the run that disproves them', async () => {
  const ch = COURSE.chapters.find((c) => c.misconceptions?.length);
  const { page, context } = await openAt(`#learn/${ch.id}/${pagesOf(ch)}`);
  const id = ch.misconceptions[0];
  const m = COURSE.misconceptions.find((x) => x.id === id);
  await page.click(`[data-myth="${id}"] button`);
  await page.waitForSelector(`[data-myth="${id}"] .myth-truth`, { timeout: 20000 });
  const t = await page.evaluate(() => window.raft.status().time_ms);
  assert(Math.abs(t - m.at_ms) < 1, `shown at ${t} ms, the misconception's moment is ${m.at_ms}`);
  await context.close();
});

await test('learn: the phone layout: no sideways scroll, Back/Next on screen, 40 px targets', async () => {
  const { page, context } = await openAt('#learn/election/2', devices['Pixel 7']);
  const sw = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(sw <= 0, `scrolls sideways by ${sw} px`);
  const next = await page.locator('#learn-next').boundingBox();
  const vh = await page.evaluate(() => window.innerHeight);
  assert(next.y + next.height <= vh, `Next is below the screen (${next.y + next.height} > ${vh})`);
  for (const sel of ['#learn-next', '#learn-back', '[data-choice="0"]']) {
    const b = await page.locator(sel).boundingBox();
    assert(b.height >= 40, `${sel} is ${b.height} px tall`);
  }
  await page.screenshot({ path: `${SHOTS}/learn-phone.png` });
  await context.close();
});

await test('learn: axe finds nothing serious on the course card (step, question, exercise)', async () => {
  const axe = fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
  for (const at of ['#learn/election/1', '#learn/election/2', '#learn/election/7']) {
    const { page, context } = await openAt(at);
    await page.addScriptTag({ content: axe });
    const found = await page.evaluate(async () => {
      const r = await window.axe.run('#learn');
      return r.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.nodes.length}`);
    });
    assert(found.length === 0, `${at}: ${found.join(', ')}`);
    await context.close();
  }
});

await test('learn: offline after one visit (the service worker keeps the page, the course and its scenarios)', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '#learn/consensus/1');
  await page.waitForSelector('#learn-text', { timeout: 30000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  // From the next load on, the worker sees every fetch: the page, its wasm, the course and (prefetched when the
  // course opens) every scenario it names.
  await page.reload();
  await page.waitForSelector('#learn-text', { timeout: 30000 });
  assert(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled by sw.js');
  const names = [...new Set(COURSE.chapters.flatMap((c) => [...c.steps.map((s) => s.scenario), ...(c.exercises || []).map((e) => e.scenario)]))];
  await page.waitForFunction(async (names) => {
    const cache = await caches.open('raft-escort');
    const kept = (await cache.keys()).map((r) => new URL(r.url).pathname);
    return names.every((n) => kept.some((k) => k.endsWith(`scenarios/${n}.json`)));
  }, names, { timeout: 20000 });
  await context.setOffline(true);
  await page.evaluate(() => { location.hash = '#learn/safety/2'; });
  await page.reload();
  await page.waitForSelector('#learn-text', { timeout: 30000 });
  await page.waitForFunction(() => window.raft.status().leader === 1, null, { timeout: 60000 });
  assert((await page.textContent('#learn-progress')).includes('page 2 of'), 'the Safety chapter opened offline');
  assert(errors.length === 0, errors.join('\n'));
  await context.close();
});

await test('learn: window.raft.course() gives chapters, questions, exercises and a coverage map with every rule', async () => {
  const { page, context } = await openAt('#learn/consensus/1');
  const c = await page.evaluate(() => window.raft.course());
  assert(c.chapters.length === COURSE.chapters.length, 'chapters');
  assert(c.chapters.every((ch) => ch.id && ch.title && ch.steps.length && ch.exercises.length), 'chapter fields');
  assert(c.chapters.flatMap((ch) => ch.questions).length >= 5, 'questions');
  assert(Object.keys(c.coverage).length === 24, `coverage has ${Object.keys(c.coverage).length} ids`);
  const missing = Object.entries(c.coverage).filter(([, by]) => by.length === 0).map(([id]) => id);
  assert(missing.length === 0, `untaught: ${missing}`);
  await context.close();
});

await browser.close();
server.close();
if (failed) { console.log(`${failed} learn test(s) failed`); process.exit(1); }
