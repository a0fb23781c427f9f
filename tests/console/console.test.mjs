// The web console in a real headless Chromium against a real rotord: what a
// person sees while the article's story plays (docs/console.md).
//   node --test console.test.mjs   (ROTOR_BIN=build/bin, ROTOR_ARTIFACTS=dir)
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {BIN, TOKENS, agentId, call, launchBrowser, makeCertificate, playArticle, reportOf, report, screenshot,
  signIn, startRotord} from './fixture.mjs';
import {axeViolations} from './axe.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let rotord;
let browser;
let story;
const cspErrors = [];

async function newPage() {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  page.on('console', (msg) => {
    if (/Content.Security.Policy|Refused to/i.test(msg.text())) cspErrors.push(msg.text());
  });
  return page;
}

async function checkAxe(page, screen) {
  const serious = await axeViolations(page);
  assert.deepEqual(serious, [], `${screen}: serious or critical accessibility violations`);
}

before(async () => {
  // A checkpoint key, as an operator makes it, so that the audit screen lists checkpoints.
  const key = path.join(mkdtempSync(path.join(tmpdir(), 'rotor-console-key-')), 'checkpoint.key');
  execFileSync(path.join(BIN, 'rotorctl'), ['keys', 'init', '--name', 'rotor.test/console',
    '--out', key]);
  rotord = await startRotord(['--checkpoint-key', key]);
  story = await playArticle(rotord.url, rotord.dir);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (rotord) await rotord.stop();
});

test('the console is served from the binary with strict security headers', async () => {
  const res = await fetch(rotord.url + '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const html = await res.text();
  assert.doesNotMatch(html, /<script>|<style>| style=/, 'no inline script or style');
  const etag = res.headers.get('etag');
  const again = await fetch(rotord.url + '/console/js/main.js', {headers: {'If-None-Match': etag}});
  assert.equal(again.status, 200, 'another file has another ETag');
  const js = await fetch(rotord.url + '/console/js/main.js');
  const cached = await fetch(rotord.url + '/console/js/main.js',
      {headers: {'If-None-Match': js.headers.get('etag')}});
  assert.equal(cached.status, 304);
  const api = await fetch(rotord.url + '/v1/rollouts');
  assert.equal(api.status, 401, 'the API still needs a token');
  assert.equal(api.headers.get('x-frame-options'), 'DENY');
  assert.equal((await fetch(rotord.url + '/console/../tokens')).status, 401);
  const who = await call(rotord.url, 'GET', '/v1/whoami', undefined, 'auditor');
  assert.deepEqual(who, {name: 'console-auditor', role: 'auditor'});
});

test('a bad token is refused with the server\'s message', async () => {
  const page = await newPage();
  await page.goto(rotord.url + '/');
  await checkAxe(page, 'sign-in');
  await page.getByLabel('Bearer token').fill('not-a-token');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('alert').getByText('unknown bearer token').waitFor();
  await screenshot(page, 'sign-in-refused');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('rotor.token')), null);
  assert.ok(!page.url().includes('not-a-token'), 'no token in the URL');
  await page.close();
});

test('rollouts: the article\'s sentence, and the count rises live without a reload', async () => {
  const page = await newPage();
  await signIn(page, rotord.url, 'operator');
  await page.getByText('2076 of 2393 agents received the new certificate').waitFor();
  await page.getByText('Live.').waitFor();
  await page.getByText('operator', {exact: true}).waitFor();
  await checkAxe(page, 'rollouts');
  await screenshot(page, 'rollouts');
  await page.evaluate(() => { window.notReloaded = true; });
  const holders = 2393;
  await report(rotord.url, [reportOf(2100, new Date(Date.now() - 500).toISOString(),
      [story.oldFp, story.newFp])]);
  await page.getByText('2077 of 2393 agents received the new certificate').waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.ok(holders > 2100);
  await page.close();
});

test('rollout: paged, filtered outstanding agents; finalize refused, consequence, forced',
    async () => {
      const page = await newPage();
      await signIn(page, rotord.url, 'operator');
      await page.getByRole('link', {name: story.rolloutId}).click();
      await page.getByRole('heading', {name: `Rollout ${story.rolloutId}`}).waitFor();
      const outstanding = page.getByRole('region', {name: 'Outstanding agents'});
      await outstanding.getByText('1–20 of 316').waitFor();
      await page.getByRole('region', {name: 'Stale agents'}).getByText('1–20 of 316').waitFor();
      await page.getByRole('img', {name: /Agents received over time: 0 at .*, 2077 of 2393 at/})
          .waitFor();
      const shot = await screenshot(page, 'rollout');
      if (process.env.ROTOR_UPDATE_DOCS) {
        copyFileSync(shot, path.resolve(here, '../../docs/console-rollout.png'));
      }
      await outstanding.getByLabel('Gateway').fill('gw-1');
      await outstanding.getByRole('button', {name: 'Filter'}).click();
      const api = await call(rotord.url, 'GET',
          `/v1/rollouts/${story.rolloutId}/agents?status=outstanding&gateway=gw-1&limit=1`);
      await outstanding.getByText(`1–20 of ${api.total}`).waitFor();
      await outstanding.getByRole('button', {name: 'Next page'}).click();
      await outstanding.getByText(`21–${Math.min(40, api.total)} of ${api.total}`).waitFor();
      const stale = page.getByRole('region', {name: 'Stale agents'});
      await stale.getByText('of 316').waitFor();
      await checkAxe(page, 'rollout');

      await page.getByRole('button', {name: 'Finalize…'}).click();
      const confirm = page.getByRole('dialog', {name: 'Finalize the rollout'});
      await confirm.getByRole('button', {name: 'Finalize', exact: true}).click();
      await confirm.getByRole('alert').getByText('316 of 2393 agents are outstanding').waitFor();
      const said = await confirm.getByRole('alert').textContent();
      assert.match(said, /outstanding/, said);
      await screenshot(page, 'finalize-refused', false);
      await confirm.getByRole('button', {name: 'Force finalize…'}).click();
      const force = page.getByRole('dialog', {name: 'Force finalize: the consequence'});
      await force.getByText('316 agents have not received the new certificate and will lose the ' +
          'Notification Server').waitFor();
      await force.getByRole('table', {name: 'By gateway'}).getByRole('row', {name: /gw-1/})
          .waitFor();
      await force.getByText(agentId(2076)).waitFor();
      const button = force.getByRole('button', {name: 'Force finalize'});
      assert.equal(await button.isDisabled(), true, 'forcing needs a typed reason');
      await checkAxe(page, 'force finalize');
      await screenshot(page, 'force-finalize', false);
      await force.getByLabel('Reason (required to force)').fill('laptops retired, CAB-1234');
      await button.click();
      await page.getByText('finalized', {exact: true}).first().waitFor();
      const after = await call(rotord.url, 'GET', `/v1/rollouts/${story.rolloutId}`);
      assert.equal(after.state, 'finalized');
      assert.equal(after.forced, true);
      await page.close();
    });

test('an auditor sees no action, verifies the chain and travels in time', async () => {
  const page = await newPage();
  await signIn(page, rotord.url, 'auditor');
  await page.getByText('auditor', {exact: true}).waitFor();
  assert.equal(await page.getByRole('button', {name: 'Replace a certificate'}).count(), 0);
  await page.getByRole('link', {name: story.rolloutId}).click();
  await page.getByRole('heading', {name: `Rollout ${story.rolloutId}`}).waitFor();
  for (const name of ['Finalize…', 'Cancel…', 'Stage…']) {
    assert.equal(await page.getByRole('button', {name}).count(), 0, `${name} is not offered`);
  }
  // Sign a checkpoint of the whole log now (auditors may); the audit screen lists it first.
  const signed = await fetch(rotord.url + '/v1/checkpoints', {method: 'POST',
    headers: {Authorization: `Bearer ${TOKENS.auditor}`}});
  assert.equal(signed.status, 200);
  const note = (await signed.text()).split('\n');
  assert.equal(note[0], 'rotor.test/console');
  await page.getByRole('link', {name: 'Audit'}).click();
  await page.getByText('ok: the chain holds').waitFor();
  const checkpoints = page.getByRole('region', {name: 'Signed checkpoints'});
  const first = checkpoints.getByRole('row').nth(1);
  await first.getByRole('rowheader', {name: note[1], exact: true}).waitFor();
  await first.getByText(note[2], {exact: true}).waitFor();
  await checkAxe(page, 'audit');
  await screenshot(page, 'audit');
  await page.getByLabel(/Moment/).fill(String(story.earlySequence));
  await page.getByRole('button', {name: 'Travel to this moment'}).click();
  await page.getByText(/Time travel: Rotor as it stood at/).waitFor();
  const replay = await call(rotord.url, 'GET', `/v1/replay?as_of=${story.earlySequence}`,
      undefined, 'auditor');
  const then = replay.rollouts.find((r) => r.rollout_id === story.rolloutId);
  assert.equal(then.summary, '1000 of 2393 agents received the new certificate');
  await page.getByText(then.summary).waitFor();
  await checkAxe(page, 'time travel');
  await screenshot(page, 'time-travel');

  // The rollout screen's lists and chart follow the moment, with the API's numbers then.
  const asOf = async (route) => call(rotord.url, 'GET',
      `${route}${route.includes('?') ? '&' : '?'}as_of=${story.earlySequence}`, undefined, 'auditor');
  const outstandingThen = await asOf(`/v1/rollouts/${story.rolloutId}/agents?limit=1`);
  assert.equal(outstandingThen.total, then.outstanding, 'the list counts what replay counts');
  assert.equal(outstandingThen.total, 1393);
  assert.equal((await asOf(`/v1/rollouts/${story.rolloutId}/agents?status=stale&limit=1`)).total, 0);
  const seriesThen = await asOf(`/v1/rollouts/${story.rolloutId}/series?points=5`);
  assert.equal(seriesThen.samples.at(-1).received, then.received);
  await page.getByRole('link', {name: story.rolloutId}).click();
  await page.getByRole('heading', {name: `Rollout ${story.rolloutId}`}).waitFor();
  await page.getByRole('region', {name: 'Outstanding agents'}).getByText('1–20 of 1393').waitFor();
  await page.getByRole('region', {name: 'Stale agents'}).getByText('none').waitFor();
  await page.getByRole('img', {name: /Agents received over time: 0 at .*, 1000 of 2393 at/})
      .waitFor();
  await checkAxe(page, 'time travel: rollout');
  await screenshot(page, 'time-travel-rollout');
  // The fleet and an agent as they stood then: nobody stale, agent 2392 not yet revoked.
  await page.getByRole('link', {name: 'Agents'}).click();
  const fleet = page.getByRole('region', {name: 'Fleet'});
  await fleet.getByText('1–20 of 2500').waitFor();
  await fleet.getByLabel('Flag').selectOption('stale');
  await fleet.getByRole('button', {name: 'Filter'}).click();
  await fleet.getByText('No agent matches.').waitFor();
  await page.goto(`${rotord.url}/#/agents/${agentId(2392)}`);
  await page.getByRole('heading', {name: `Agent ${agentId(2392)}`}).waitFor();
  const agentThen = await asOf(`/v1/agents/${agentId(2392)}`);
  assert.equal(agentThen.stale || agentThen.revoked, false);
  await page.locator('dl.facts').getByText('none', {exact: true}).waitFor();
  const history = page.getByRole('region', {name: 'History'});
  await history.getByText(/^reported 1 certificate/).waitFor();
  assert.equal(await history.getByText('flagged stale: stopped reporting').count(), 0);
  await page.getByRole('button', {name: 'Back to now'}).click();
  await page.getByText('stale, revoked').waitFor();
  await page.getByRole('link', {name: 'Rollouts'}).click();
  await page.getByText('2077 of 2393 agents received the new certificate').waitFor();
  await page.close();
});

test('agents and certificates screens', async () => {
  const page = await newPage();
  await signIn(page, rotord.url, 'admin');
  await page.getByRole('link', {name: 'Agents'}).click();
  const fleet = page.getByRole('region', {name: 'Fleet'});
  await fleet.getByText('1–20 of 2500').waitFor();
  await fleet.getByLabel('Agent id starts with').fill('agent-00239');
  await fleet.getByRole('button', {name: 'Filter'}).click();
  await fleet.getByText('1–10 of 10').waitFor();
  await checkAxe(page, 'agents');
  await screenshot(page, 'agents');
  await fleet.getByRole('link', {name: agentId(2392)}).click();
  await page.getByRole('heading', {name: `Agent ${agentId(2392)}`}).waitFor();
  await page.getByText('stale, revoked').waitFor();
  const history = page.getByRole('region', {name: 'History'});
  await history.getByText('flagged stale: stopped reporting').waitFor();
  await history.getByText('CEM certificate revoked (reason 1)').waitFor();
  await checkAxe(page, 'agent');
  await screenshot(page, 'agent');
  await page.getByRole('link', {name: 'Certificates'}).click();
  await page.getByRole('cell', {name: 'server-web'}).first().waitFor();
  await checkAxe(page, 'certificates');
  await screenshot(page, 'certificates');
  await page.close();
});

test('actions: register PEM and DER, initiate pre-staged, stage, cancel, revoke, delete',
    async () => {
      const pemA = makeCertificate(rotord.dir, 'console-a');
      makeCertificate(rotord.dir, 'console-b');
      const derB = path.join(rotord.dir, 'console-b.der');
      execFileSync('openssl', ['x509', '-in', path.join(rotord.dir, 'console-b.pem'),
        '-outform', 'DER', '-out', derB]);
      const page = await newPage();
      await signIn(page, rotord.url, 'admin');
      await page.getByRole('link', {name: 'Certificates'}).click();
      for (const file of [path.join(rotord.dir, 'console-a.pem'), derB]) {
        await page.getByRole('button', {name: 'Register certificate'}).click();
        const dialog = page.getByRole('dialog', {name: 'Register a certificate'});
        await dialog.getByLabel('Certificate file (PEM or DER)').setInputFiles(file);
        await dialog.getByRole('button', {name: 'Register'}).click();
        await dialog.waitFor({state: 'detached'});
      }
      await page.getByRole('cell', {name: /console-a\.rotor\.test/}).waitFor();
      await page.getByRole('cell', {name: /console-b\.rotor\.test/}).waitFor();
      assert.ok(pemA.includes('BEGIN CERTIFICATE'));

      await page.getByRole('link', {name: 'Rollouts'}).click();
      await page.getByRole('button', {name: 'Replace a certificate'}).click();
      const replace = page.getByRole('dialog', {name: 'Initiate a replacement'});
      const option = async (label, cn) => {
        const text = await replace.getByLabel(label).locator('option', {hasText: cn}).textContent();
        await replace.getByLabel(label).selectOption({label: text});
      };
      await option('Old certificate', 'console-a');
      await option('New certificate', 'console-b');
      await replace.getByLabel('Mode').selectOption('pre-staged');
      await replace.getByText('0 agents hold the old certificate today').waitFor();
      await replace.getByRole('button', {name: 'Initiate replacement'}).click();
      await page.getByRole('heading', {name: /^Rollout r-/}).waitFor();
      await page.getByRole('button', {name: 'Stage…'}).click();
      await page.getByRole('dialog', {name: 'Stage the new certificate'})
          .getByRole('button', {name: 'Stage'}).click();
      await page.getByRole('button', {name: 'Switch bindings…'}).waitFor();
      await page.getByRole('button', {name: 'Cancel…'}).click();
      const cancel = page.getByRole('dialog', {name: 'Cancel the rollout'});
      await cancel.getByLabel('Reason (optional)').fill('wrong certificate');
      await cancel.getByRole('button', {name: 'Cancel rollout'}).click();
      await page.getByText('cancelled', {exact: true}).first().waitFor();
      await page.getByText('replacement cancelled').waitFor();

      await page.goto(`${rotord.url}/#/agents/${agentId(5)}`);
      await page.getByRole('button', {name: 'Revoke…'}).click();
      const revoke = page.getByRole('dialog', {name: `Revoke agent ${agentId(5)}`});
      await revoke.getByLabel('Reason (RFC 5280)').selectOption('1');
      await revoke.getByRole('button', {name: 'Revoke'}).click();
      await page.getByText('CEM certificate revoked (reason 1)').waitFor();
      await page.getByRole('button', {name: 'Delete resource…'}).click();
      const del = page.getByRole('dialog', {name: `Delete agent ${agentId(5)}'s resource`});
      await del.getByRole('button', {name: 'Delete resource'}).click();
      await page.getByText(/^resource deleted/).waitFor();
      const agent = await call(rotord.url, 'GET', `/v1/agents/${agentId(5)}`);
      assert.equal(agent.revoked, true);
      assert.equal(agent.deleted, true);
      await screenshot(page, 'agent-deleted');
      await page.close();
    });

test('the pending gateway refresh is a checklist item an operator records', async () => {
  const rootOld = makeCertificate(rotord.dir, 'root-old');
  const rootNew = makeCertificate(rotord.dir, 'root-new');
  const oldFp = (await call(rotord.url, 'POST', '/v1/certificates',
      {kind: 'cem-root', pem: rootOld})).fingerprint;
  const newFp = (await call(rotord.url, 'POST', '/v1/certificates',
      {kind: 'cem-root', pem: rootNew})).fingerprint;
  await call(rotord.url, 'PUT', '/v1/gateways/gw-manual', {auto_refresh: false});
  await report(rotord.url, [{...reportOf(9000, new Date(Date.now() - 500).toISOString(), [oldFp]),
    gatewayId: 'gw-manual'}]);
  await call(rotord.url, 'POST', '/v1/replacements',
      {rollout_id: 'r-root', old_fingerprint: oldFp, new_fingerprint: newFp});
  const page = await newPage();
  await signIn(page, rotord.url, 'operator');
  await page.goto(`${rotord.url}/#/rollouts/r-root`);
  const checklist = page.getByRole('region', {name: 'Pending gateway refreshes'});
  await checklist.getByText('Gateway gw-manual: manual refresh after-initiate').waitFor();
  await checklist.getByRole('button', {name: 'Record refresh of gw-manual'}).click();
  await page.getByRole('dialog', {name: 'Record a refresh of gateway gw-manual'})
      .getByRole('button', {name: 'Record refresh'}).click();
  // The fleet's other gateways (auto-refresh never set: manual) stay pending.
  const after = page.getByRole('region', {name: 'Pending gateway refreshes'});
  await after.getByText('Gateway gw-0: manual refresh after-initiate').waitFor();
  await after.getByText('Gateway gw-manual: manual refresh after-initiate')
      .waitFor({state: 'detached'});
  await screenshot(page, 'gateway-refresh');
  const p = await call(rotord.url, 'GET', '/v1/rollouts/r-root');
  assert.deepEqual(p.pending_gateway_steps.map((g) => g.gateway_id), ['gw-0', 'gw-1', 'gw-2',
    'gw-3']);
  await page.close();
});

test('a screen left before its data arrived does not draw over the next one', async () => {
  const page = await newPage();
  // Hold the rollouts list's data until the user has moved on to a rollout.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route((u) => u.pathname === '/v1/rollouts', async (r) => {
    await held;
    await r.continue();
  });
  await signIn(page, rotord.url, 'operator');  // draws the rollouts list: its data is held
  await page.goto(`${rotord.url}/#/rollouts/${story.rolloutId}`);
  const heading = page.getByRole('heading', {name: `Rollout ${story.rolloutId}`});
  await heading.waitFor();
  release();
  // Wait until the page has the held list and has run what follows it.
  await page.waitForFunction(() => performance.getEntriesByType('resource')
      .some((e) => new URL(e.name).pathname === '/v1/rollouts'));
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.equal(await heading.count(), 1);
  assert.equal(await page.getByRole('heading', {name: 'Rollouts', exact: true}).count(), 0);
  await page.close();
});

test('every action is reachable with the keyboard', async () => {
  const page = await newPage();
  await signIn(page, rotord.url, 'operator');
  await page.getByText('Live.').waitFor();
  let reached = '';
  for (let i = 0; i < 40 && reached !== 'Replace a certificate'; ++i) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.textContent);
  }
  assert.equal(reached, 'Replace a certificate');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', {name: 'Initiate a replacement'});
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({state: 'detached'});
  await page.close();
});

test('no Content-Security-Policy violation on any screen', () => {
  assert.deepEqual(cspErrors, []);
});
