// End-to-end tests in headless Chromium against the release dist/, served from a sub-path.
// Run by `./dev test`; screenshots go to screenshots/ (git-ignored) to be looked at.
import { chromium, devices } from 'playwright-core';
import fs from 'node:fs';
import { serve } from './serve.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

const server = await serve('dist');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

let failed = 0;
const results = [];
function assert(cond, msg) { if (!cond) throw new Error(msg); }

/** Opens the app paused, so that tests move virtual time explicitly. Collects console errors. */
async function open(options = {}, url = server.url) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__frames = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => { window.__frames++; return raf(cb); };
  });
  await page.goto(url);
  await page.waitForFunction(() => window.raft && document.querySelector('svg.cluster'));
  await page.evaluate(() => window.raft.pause());
  return { page, context, errors };
}

const R = (page, expr, ...args) => page.evaluate(expr, ...args);
const advance = (page, ms) => R(page, (ms) => window.raft.advance(ms), ms);
const leaderOf = (page) => R(page, () => window.raft.status().leader);

async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    results.push(`FAIL ${name}: ${e.message}`);
  }
  console.log(results[results.length - 1]);
}

await test('page loads with no console errors, from a sub-path', async () => {
  const { page, context, errors } = await open();
  assert(server.url.includes('/raft-escort/'), 'served under a sub-path');
  await page.evaluate(() => window.raft.play());
  await page.waitForTimeout(1500);
  assert((await R(page, () => window.raft.status().time_ms)) > 0, 'time moves while playing');
  assert(errors.length === 0, 'console errors: ' + errors.join(' | '));
  await context.close();
});

await test('a leader is elected and shown', async () => {
  const { page, context } = await open();
  await advance(page, 2000);
  const leader = await leaderOf(page);
  assert(leader, 'no leader after 2 s');
  await page.waitForFunction((l) => document.querySelector('#status-line').textContent.includes(`leader S${l}`), leader);
  await page.waitForSelector(`g.node.leader[data-node="${leader}"]`);
  await context.close();
});

await test('killing the leader in the UI elects another, and the formation marches on', async () => {
  const { page, context } = await open();
  await advance(page, 6000);
  const old = await R(page, () => window.raft.status());
  const before = await R(page, () => window.raft.positions());
  const maxX = Math.max(...before.map((p) => p.x));
  assert(maxX > 0, 'the escort has started marching');
  await page.click(`g.node[data-node="${old.leader}"]`);
  await page.click('.inspect button:has-text("Kill")');
  await page.waitForSelector(`g.node.down[data-node="${old.leader}"]`);
  await advance(page, 4000);
  const now = await R(page, () => window.raft.status());
  assert(now.leader && now.leader !== old.leader, `new leader expected, got ${now.leader}`);
  assert(now.term > old.term, `term must grow: ${old.term} → ${now.term}`);
  const after = await R(page, () => window.raft.positions());
  const live = after.filter((p) => p.status === 'up');
  assert(live.every((p) => p.x >= maxX), `formation went back: ${JSON.stringify(live)} (was at ${maxX})`);
  assert(live.every((p) => p.steps === p.x), 'each step applied exactly once');
  await context.close();
});

await test('a minority partition made in the UI cannot commit; heal rolls its writes back', async () => {
  const { page, context } = await open();
  await R(page, () => window.raft.configure({ march: false }));
  await advance(page, 2000);
  const { leader, term } = await R(page, () => window.raft.status());
  const follower = (await R(page, () => window.raft.nodes())).find((n) => n.id !== leader).id;
  // Leader and one follower to group B, the other three stay in A.
  await page.click(`.group-chip[data-node="${leader}"]`);
  await page.click(`.group-chip[data-node="${follower}"]`);
  await page.click('#partition-apply');
  await page.waitForSelector('.banner.partition');
  await page.fill('#send-text', 'minority write');
  await page.selectOption('#send-to', String(leader));
  await page.click('#send-submit');
  await advance(page, 1500);
  let log = await R(page, (l) => window.raft.log(l), leader);
  const stuck = log.filter((e) => e.text === 'msg: minority write');
  assert(stuck.length === 1 && !stuck[0].committed, 'the old leader holds the write uncommitted');
  const s = await R(page, () => window.raft.status());
  assert(s.leader !== leader && s.term > term, 'the majority elected a new leader');
  await page.click('#heal');
  await advance(page, 3000);
  log = await R(page, (l) => window.raft.log(l), leader);
  const kept = log.filter((e) => e.text === 'msg: minority write');
  assert(kept.length === 1 && kept[0].committed && kept[0].term > term,
    `the old-term copy was rolled back and the retried write committed once in a newer term: ${JSON.stringify(kept)}`);
  assert((await R(page, () => window.raft.violations())).length === 0, 'no invariant violated');
  await context.close();
});

await test('array set and a redirected message reach every live node', async () => {
  const { page, context } = await open();
  await advance(page, 2000);
  const leader = await leaderOf(page);
  const follower = (await R(page, () => window.raft.nodes())).find((n) => n.id !== leader).id;
  await page.fill('#set-index', '2');
  await page.fill('#set-value', '7');
  await page.click('#set-submit');
  await page.fill('#send-text', 'hello followers');
  await page.selectOption('#send-to', String(follower));
  await page.click('#send-submit');
  await advance(page, 2000);
  const arrays = await R(page, () => window.raft.array());
  assert(arrays.every((a) => JSON.stringify(a.values) === '[0,0,7,0,0]'), 'array on every node: ' + JSON.stringify(arrays));
  const msgs = await R(page, () => window.raft.messages());
  assert(msgs.every((m) => m.values.includes('hello followers')), 'message on every node');
  const reqs = await R(page, () => window.raft.requests());
  const sent = reqs.find((r) => r.op.text === 'hello followers');
  assert(sent.redirects >= 1 && sent.path[0] === follower && sent.status.status === 'applied', 'redirected: ' + JSON.stringify(sent));
  await page.waitForSelector('#requests li:has-text("redirect")');
  await context.close();
});

await test('hostile text is shown as text', async () => {
  const { page, context } = await open();
  await advance(page, 2000);
  const evil = '<img src=x onerror="window.__pwned=1">';
  await page.fill('#send-text', evil);
  await page.click('#send-submit');
  await advance(page, 2000);
  await page.waitForFunction((t) => document.querySelector('#message-log').textContent.includes(t), evil);
  assert((await page.$$('#message-log img, .logs img')).length === 0, 'no img element was created');
  assert(!(await R(page, () => window.__pwned)), 'no script ran');
  assert((await page.textContent('.logs')).includes('msg: <img'), 'the log shows the text');
  await context.close();
});

await test('bad input gets a clear message; bad API calls throw; the page keeps working', async () => {
  const { page, context, errors } = await open();
  await page.fill('#set-index', 'abc');
  await page.click('#set-submit');
  assert((await page.textContent('#set-error')).includes('whole number'), 'non-number refused');
  await page.fill('#set-index', '99');
  await page.click('#set-submit');
  assert((await page.textContent('#set-error')).includes('between 0 and 4'), 'out of range refused');
  await page.fill('#send-text', 'x'.repeat(300));
  await page.click('#send-submit');
  assert((await page.textContent('#send-error')).includes('at most 280'), 'over-long text refused');
  await page.fill('#tune-election_timeout_min_ms', '400');
  await page.fill('#tune-election_timeout_max_ms', '300');
  await page.click('#tune-apply');
  assert((await page.textContent('#tune-error')).includes('above its max'), 'min > max refused');
  await page.fill('#tune-election_timeout_min_ms', '40');
  await page.fill('#tune-election_timeout_max_ms', '300');
  await page.click('#tune-apply');
  assert((await page.textContent('#tune-error')).includes('longer than the heartbeat'), 'election ≤ heartbeat refused');
  for (const call of ['window.raft.kill("x")', 'window.raft.kill(99)', 'window.raft.set(1.5, 2)', 'window.raft.partition("nope")',
                      'window.raft.configure({loss_pct: 300})', 'window.raft.advance(-1)', 'window.raft.send(42)']) {
    const msg = await R(page, (c) => { try { eval(c); return null; } catch (e) { return e instanceof Error ? e.message : 'not an Error'; } }, call);
    assert(msg && msg.startsWith('raft.'), `${call} should throw a clear Error, got ${msg}`);
  }
  await advance(page, 2000);
  assert(await leaderOf(page), 'still works after bad input');
  assert(errors.length === 0, 'no console errors: ' + errors.join(' | '));
  await context.close();
});

await test('keyboard: shortcuts, help overlay, nothing scheduled while paused', async () => {
  const { page, context } = await open();
  await page.keyboard.press('?');
  await page.waitForSelector('[role=dialog]');
  await page.keyboard.press('Escape');
  assert(!(await page.$('[role=dialog]')), 'Escape closes the help');
  await page.waitForTimeout(300);
  const frames = await R(page, () => window.__frames);
  await page.waitForTimeout(700);
  assert((await R(page, () => window.__frames)) === frames, 'no animation frame while paused');
  await page.keyboard.press(' ');
  await page.waitForTimeout(500);
  assert((await R(page, () => window.__frames)) > frames, 'space plays');
  await page.keyboard.press(' ');
  await advance(page, 2000);
  const leader = await leaderOf(page);
  await page.keyboard.press('l');
  await page.keyboard.press('k');
  await page.waitForSelector(`g.node.down[data-node="${leader}"]`);
  await page.keyboard.press('r');
  await page.waitForSelector(`g.node[data-node="${leader}"]:not(.down)`);
  // Tab reaches a node and Enter selects it.
  await page.focus(`g.node[data-node="1"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.inspect h3:has-text("Server S1")');
  await context.close();
});

await test('no frame is scheduled while the tab is hidden; the run picks up when it is back', async () => {
  const { page, context } = await open();
  await R(page, () => window.raft.play());
  await page.waitForTimeout(300);
  await R(page, () => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(200);
  const [f0, t0] = await R(page, () => [window.__frames, window.raft.status().time_ms]);
  await page.waitForTimeout(800);
  const [f1, t1] = await R(page, () => [window.__frames, window.raft.status().time_ms]);
  assert(f1 === f0 && t1 === t0, `hidden: frames ${f0}→${f1}, time ${t0}→${t1}`);
  await R(page, () => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(500);
  assert((await R(page, () => window.__frames)) > f1, 'frames resume when visible');
  await context.close();
});

await test('touch: a tap selects a node on a phone', async () => {
  const { page, context } = await open({ ...devices['Pixel 7'] });
  await advance(page, 2000);
  await page.tap('g.node[data-node="2"]');
  await page.waitForSelector('.inspect h3:has-text("Server S2")');
  await page.tap('.inspect button:has-text("Time out")');
  const recorded = await R(page, () => window.raft.recorded().map((c) => c.command));
  assert(recorded.some((c) => c.cmd === 'timeout' && c.node === 2), 'the tapped button timed S2 out');
  await context.close();
});

await test('scrubbing back and forward in time shows the same run', async () => {
  const { page, context } = await open();
  await advance(page, 3000);
  await R(page, () => window.raft.kill(window.raft.status().leader));
  await advance(page, 5000 - (await R(page, () => window.raft.status().time_ms)));
  const at5 = await R(page, () => ({ s: window.raft.status(), p: window.raft.positions() }));
  const scrub = async (ms) => page.$eval('#scrub', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, ms);
  await scrub(1000);
  const at1 = await R(page, () => window.raft.status());
  assert(Math.round(at1.time_ms) === 1000, `scrubbed to 1 s, got ${at1.time_ms}`);
  assert(at1.up === 5, 'before the kill every node is up');
  await scrub(5000);
  const again = await R(page, () => ({ s: window.raft.status(), p: window.raft.positions() }));
  assert(JSON.stringify(again.p) === JSON.stringify(at5.p) && again.s.leader === at5.s.leader && again.s.term === at5.s.term,
    'back at 5 s the run is the same: ' + JSON.stringify([again.s, at5.s]));
  await context.close();
});

await test('a permalink replays the same run; a damaged link gets a clear message', async () => {
  const { page, context } = await open();
  await advance(page, 3000);
  await R(page, () => window.raft.set(1, 42));
  await R(page, () => window.raft.kill(window.raft.status().leader));
  await advance(page, 2500);
  await page.click('#share');
  const url = page.url();
  assert(url.includes('#run='), 'the address holds the run');
  const want = await R(page, () => ({ s: window.raft.status(), a: window.raft.array(), p: window.raft.positions() }));
  const second = await open({}, url);
  const got = await R(second.page, () => ({ s: window.raft.status(), a: window.raft.array(), p: window.raft.positions() }));
  assert(JSON.stringify(got.a) === JSON.stringify(want.a) && JSON.stringify(got.p) === JSON.stringify(want.p)
    && got.s.leader === want.s.leader && got.s.term === want.s.term && got.s.time_ms === want.s.time_ms,
    'same run from the link: ' + JSON.stringify([got, want]));
  await second.context.close();
  const third = await open({}, server.url + '#run=%7B%22config%22%3A%7Bnodes');
  await third.page.waitForSelector('#notice');
  assert((await third.page.textContent('#notice')).includes('could not be read'), 'damaged link explained');
  await advance(third.page, 2000);
  assert(await leaderOf(third.page), 'a fresh cluster runs');
  assert(third.errors.length === 0, third.errors.join(' | '));
  await third.context.close();
  await context.close();
});

await test('a built-in scenario replays in the page: Figure 8 with the planted bug turns the invariants red', async () => {
  const { page, context } = await open();
  await page.selectOption('#scenario', 'figure8-bug');
  await page.waitForSelector('#scenario-about');
  assert((await R(page, () => window.raft.status().time_ms)) === 0, 'loaded at time 0');
  await advance(page, 4000);
  const v = await R(page, () => window.raft.violations());
  assert(v.some((x) => x.invariant === 'leader-completeness'), 'Leader Completeness caught: ' + JSON.stringify(v));
  await page.waitForSelector('#violations.violated');
  await page.evaluate(() => window.scrollTo(0, document.querySelector('#violations').offsetTop - 80));
  await page.screenshot({ path: `${SHOTS}/figure8-bug.png` });
  await page.selectOption('#scenario', 'figure8-safe');
  await advance(page, 4000);
  assert((await R(page, () => window.raft.violations())).length === 0, 'the safe version keeps every invariant');
  await context.close();
});

await test('messages in flight can be clicked and dropped, duplicated or delayed', async () => {
  const { page, context } = await open();
  await advance(page, 2000);
  await page.waitForSelector('g.msg[data-msg]');
  const ids = await page.$$eval('g.msg[data-msg]', (els) => els.map((e) => Number(e.dataset.msg)));
  await page.click(`g.msg[data-msg="${ids[0]}"]`, { force: true });
  await page.waitForSelector('.inspect h3');
  assert((await page.textContent('.inspect')).includes('arrives at'), 'the inspector shows the message');
  await page.click('.inspect button:has-text("Delay")');
  await page.click('.inspect button:has-text("Duplicate")');
  const before = await R(page, () => window.raft.inFlight().length);
  await page.click('.inspect button:has-text("Drop")');
  const flying = await R(page, () => window.raft.inFlight().map((m) => m.id));
  assert(!flying.includes(ids[0]) && flying.length === before - 1, 'dropped');
  const kinds = (await R(page, () => window.raft.recorded())).map((c) => c.command.cmd);
  assert(['delay_message', 'duplicate_message', 'drop_message'].every((k) => kinds.includes(k)), 'all three recorded: ' + kinds);
  await context.close();
});

await test('adding a node, removing one and cutting a link one way through the UI', async () => {
  const { page, context } = await open();
  await advance(page, 2000);
  await page.click('#add-node');
  await advance(page, 3000);
  const six = (await R(page, () => window.raft.nodes())).find((n) => n.id === 6);
  assert(six && six.voter && six.status === 'up', 'S6 joined as a voter: ' + JSON.stringify(six));
  await page.click('g.node[data-node="6"]');
  await page.click('.inspect button:has-text("Remove from cluster")');
  await advance(page, 3000);
  assert((await R(page, () => window.raft.nodes())).find((n) => n.id === 6).status === 'removed', 'S6 removed');
  assert(!(await page.$('g.node[data-node="6"]')), 'S6 left the ring');
  await page.selectOption('#cut-from', '1');
  await page.selectOption('#cut-to', '2');
  await page.click('#cut-apply');
  await page.waitForSelector('.banner.partition:has-text("one-way cut")');
  await page.fill('#tune-heartbeat_ms', '80');
  await page.click('#tune-apply');
  await page.waitForSelector('.ok-note');
  assert((await R(page, () => window.raft.violations())).length === 0, 'no violation');
  await context.close();
});

await test('screenshots at projector and phone sizes', async () => {
  for (const [name, opts] of [['projector', { viewport: { width: 1920, height: 1080 } }], ['phone', { ...devices['Pixel 7'] }]]) {
    const { page, context } = await open(opts);
    await advance(page, 5000);
    await page.fill('#send-text', 'hello, Raft');
    await page.click('#send-submit');
    await advance(page, 1000);
    await R(page, () => window.raft.kill(window.raft.status().leader));
    await advance(page, 180);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/${name}.png` });
    await page.screenshot({ path: `${SHOTS}/${name}-full.png`, fullPage: true });
    // What the screenshots must show: the message as text, the crashed leader drawn down, a picture written.
    assert((await page.textContent('body')).includes('hello, Raft'), 'the sent message is on the page');
    assert((await page.$$('g.node.down')).length === 1, 'the killed leader is drawn down');
    for (const f of [`${name}.png`, `${name}-full.png`]) {
      assert(fs.statSync(`${SHOTS}/${f}`).size > 10_000, `${f} holds a picture`);
    }
    await context.close();
  }
});

await test('window.raft refuses unknown keys by name and answers with data, never null', async () => {
  const { page, context } = await open();
  const err = await R(page, () => { try { window.raft.configure({ election_min_ms: 300 }); return null; } catch (e) { return e.message; } });
  assert(err && err.includes('election_min_ms') && err.includes('election_timeout_min_ms'), 'typo named with the known keys: ' + err);
  const notObject = await R(page, () => { try { window.raft.configure(5); return null; } catch (e) { return e.message; } });
  assert(notObject && notObject.includes('must be an object'), notObject);
  await advance(page, 2000);
  for (let i = 0; i < 50; i++) {
    await advance(page, 7);
    const flying = await R(page, () => window.raft.inFlight());
    assert(Array.isArray(flying), `inFlight() answered ${JSON.stringify(flying)} at sample ${i}`);
  }
  // One advance() may not cost more than its stated number of simulated events.
  await R(page, () => window.raft.configure({ heartbeat_ms: 1 }));
  const costly = await R(page, () => { try { window.raft.advance(600000); return null; } catch (e) { return e.message; } });
  assert(costly && costly.includes('at most 2000000'), 'an expensive advance is refused: ' + costly);
  await context.close();
  // A value beyond 2^53, set through a run link, comes back as a decimal string.
  const big = '1152921504606846976';
  const run = { config: {}, commands: [{ at_us: 1000000, command: { cmd: 'request', op: { type: 'set', index: 0, value: Number.MAX_SAFE_INTEGER } } }], at_us: 3000000 };
  const text = JSON.stringify(run).replace(String(Number.MAX_SAFE_INTEGER), big);
  const linked = await open({}, server.url + '#run=' + encodeURIComponent(text));
  await linked.page.waitForFunction(() => window.raft.status().time_ms >= 3000);
  const arrays = await R(linked.page, () => window.raft.array());
  assert(Array.isArray(arrays) && arrays.every((a) => a.values[0] === '1152921504606846976'), 'big value as a string: ' + JSON.stringify(arrays));
  await linked.context.close();
});

await test('a heavy link replays in slices with progress and Cancel; one beyond the limits is refused', async () => {
  const day = { config: { nodes: 5 }, commands: [], at_us: 86400000000 };
  const { page, context, errors } = await open({}, server.url + '#run=' + encodeURIComponent(JSON.stringify(day)));
  await page.waitForSelector('#loading');
  const t0 = Date.now();
  await R(page, () => 1 + 1);
  const answerMs = Date.now() - t0;
  assert(answerMs < 1000, `the page answers while loading (${answerMs} ms)`);
  const progress = await page.textContent('#loading');
  await page.waitForTimeout(1500);
  const later = await page.textContent('#loading');
  console.log(`     loading: ${progress.trim()} → ${later.trim()} after 1.5 s`);
  await page.click('#cancel-load');
  await page.waitForSelector('#loading', { state: 'detached' });
  assert((await page.textContent('#notice')).includes('cancelled'), 'the cancel is told');
  await advance(page, 2000);
  assert(await leaderOf(page), 'the page goes on with the run it had');
  assert(errors.length === 0, errors.join(' | '));
  await context.close();
  const huge = { config: { nodes: 51 }, commands: [], at_us: 86400000000 };
  const refused = await open({}, server.url + '#run=' + encodeURIComponent(JSON.stringify(huge)));
  await refused.page.waitForSelector('#notice');
  const notice = await refused.page.textContent('#notice');
  assert(notice.includes('at most 25000000'), 'the limit is stated: ' + notice);
  await refused.context.close();
});

await test('fifty-one nodes fit and run', async () => {
  const { page, context, errors } = await open({ viewport: { width: 1920, height: 1080 } });
  await page.fill('#reset-size', '51');
  await page.click('#reset');
  await advance(page, 3000);
  assert((await page.$$('g.node')).length === 51, '51 nodes drawn');
  assert(await leaderOf(page), 'a leader among 51');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/fifty-one.png` });
  // Budget: the reactive work of one animation frame (simulation + view updates, before the browser paints).
  for (const n of [5, 51]) {
    await page.fill('#reset-size', String(n));
    await page.click('#reset');
    await advance(page, 3000);
    const ms = await R(page, async () => {
      const flush = async () => { for (let k = 0; k < 20; k++) await Promise.resolve(); };
      const t0 = performance.now();
      for (let i = 0; i < 30; i++) { window.raft.advance(16); await flush(); }
      return (performance.now() - t0) / 30;
    });
    console.log(`     frame_update_ms_${n}_nodes=${ms.toFixed(1)}`);
    assert(ms < (n > 5 ? 60 : 15), `one frame of ${n} nodes takes ${ms.toFixed(1)} ms`);
  }
  assert(errors.length === 0, errors.join(' | '));
  await context.close();
});

await browser.close();
server.close();
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
