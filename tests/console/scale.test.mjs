// The rollout screen with a 100,000-agent fleet: lists are paged by the
// server, so the page stays usable. The time until the sentence and the
// first page of outstanding agents show is printed, not asserted (the
// machine is shared); what is asserted is that no list is shipped whole. The
// same in time travel: the first as-of page folds the log, the next one
// reads the kept read models.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {call, launchBrowser, makeCertificate, report, reportOf, screenshot, signIn,
  startRotord} from './fixture.mjs';

const AGENTS = Number(process.env.ROTOR_SCALE_AGENTS || 100000);
const RECEIVED = Math.floor(AGENTS * 0.8);
let rotord;
let browser;
let initiated;  // the sequence of the rollout's initiation

before(async () => {
  rotord = await startRotord();
  const oldPem = makeCertificate(rotord.dir, 'old');
  const newPem = makeCertificate(rotord.dir, 'new');
  const oldFp = (await call(rotord.url, 'POST', '/v1/certificates',
      {kind: 'server-web', pem: oldPem})).fingerprint;
  const newFp = (await call(rotord.url, 'POST', '/v1/certificates',
      {kind: 'server-web', pem: newPem})).fingerprint;
  const at = new Date(Date.now() - 3600e3).toISOString();
  const reports = [];
  for (let i = 0; i < AGENTS; ++i) reports.push(reportOf(i, at, [oldFp]));
  await report(rotord.url, reports);
  await call(rotord.url, 'POST', '/v1/replacements',
      {rollout_id: 'r-scale', old_fingerprint: oldFp, new_fingerprint: newFp});
  initiated = (await call(rotord.url, 'GET', '/v1/verify', undefined, 'auditor')).events;
  const now = new Date(Date.now() - 1000).toISOString();
  const got = [];
  for (let i = 0; i < RECEIVED; ++i) got.push(reportOf(i, now, [oldFp, newFp]));
  await report(rotord.url, got);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (rotord) await rotord.stop();
});

test(`the rollout screen with ${AGENTS} agents loads one page of each list`, async () => {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  const bodies = [];
  page.on('response', async (res) => {
    if (/\/v1\/.*\/agents\?/.test(res.url())) bodies.push(await res.json());
  });
  await signIn(page, rotord.url, 'operator');
  const start = Date.now();
  await page.goto(`${rotord.url}/#/rollouts/r-scale`);
  const outstanding = AGENTS - RECEIVED;
  await page.getByText(`${RECEIVED} of ${AGENTS} agents received the new certificate`).waitFor();
  await page.getByRole('region', {name: 'Outstanding agents'})
      .getByText(`1–20 of ${outstanding}`).waitFor();
  const ms = Date.now() - start;
  console.log(`console rollout screen with ${AGENTS} agents: usable in ${ms} ms ` +
      '(sentence, breakdowns and the first page of outstanding agents shown)');
  assert.ok(bodies.length > 0);
  for (const body of bodies) assert.ok(body.agents.length <= 20, 'a list is never shipped whole');
  await screenshot(page, 'rollout-100k');
  await page.close();
});

test(`time travel with ${AGENTS} agents: the lists as they stood, one page at a time`, async () => {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  await signIn(page, rotord.url, 'auditor');
  await page.getByRole('link', {name: 'Audit'}).click();
  await page.getByLabel(/Moment/).fill(String(initiated));
  const start = Date.now();
  await page.getByRole('button', {name: 'Travel to this moment'}).click();
  await page.getByText(/Time travel: Rotor as it stood at/).waitFor();
  await page.goto(`${rotord.url}/#/rollouts/r-scale`);
  await page.getByText(`0 of ${AGENTS} agents received the new certificate`).waitFor();
  const outstanding = page.getByRole('region', {name: 'Outstanding agents'});
  await outstanding.getByText(`1–20 of ${AGENTS}`).waitFor();
  const first = Date.now() - start;
  const next = Date.now();
  await outstanding.getByRole('button', {name: 'Next page'}).click();
  await outstanding.getByText(`21–40 of ${AGENTS}`).waitFor();
  console.log(`time travel with ${AGENTS} agents: the rollout screen as of sequence ${initiated} ` +
      `in ${first} ms (replay, then the lists and chart from the kept read models); ` +
      `next page in ${Date.now() - next} ms`);
  await page.close();
});
