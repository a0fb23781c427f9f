// Sign-in with the client certificate, in a real headless Chromium against a
// real rotord over mutual TLS: certificates made by the openssl CLI, one
// person's certificate mapped to a role in the tokens file (cert-sha256),
// presented by the browser through Playwright's clientCertificates.
//   node --test certificate.test.mjs   (ROTOR_BIN=build/bin, ROTOR_ARTIFACTS=dir)
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {execFileSync} from 'node:child_process';
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {launchBrowser, screenshot, startRotord} from './fixture.mjs';
import {axeViolations} from './axe.mjs';

let rotord;
let browser;
let pki;

function openssl(...args) {
  return execFileSync('openssl', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
}

// A CA and the certificates it signs, all with the openssl CLI, in `dir`.
function makePki(dir) {
  const p = (name) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '30',
      '-subj', '/CN=Rotor People CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-x509', ...ec, '-keyout', p('server.key'), '-out', p('server.pem'), '-days', '30',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  writeFileSync(p('client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  for (const cn of ['audrey', 'laptop-7']) {
    openssl('req', '-new', ...ec, '-keyout', p(`${cn}.key`), '-out', p(`${cn}.csr`),
        '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', p(`${cn}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
        '-CAcreateserial', '-out', p(`${cn}.pem`), '-days', '30', '-extfile', p('client.ext'));
  }
  const fingerprint = openssl('x509', '-in', p('audrey.pem'), '-noout', '-fingerprint',
      '-sha256').split('=')[1].replace(/[^0-9A-Fa-f]/g, '').toLowerCase();
  return {dir, p, fingerprint};
}

// GET `route` over mTLS with `who`'s certificate and no token.
function getWith(who, route) {
  return new Promise((resolve, reject) => {
    const req = https.request(rotord.url + route, {cert: readFileSync(pki.p(`${who}.pem`)),
      key: readFileSync(pki.p(`${who}.key`)), rejectUnauthorized: false}, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({status: res.statusCode, body: JSON.parse(body)}));
    });
    req.on('error', reject);
    req.end();
  });
}

async function contextWith(who) {
  return browser.newContext({
    viewport: {width: 1280, height: 900},
    ignoreHTTPSErrors: true,  // rotord's own self-signed server certificate
    clientCertificates: [{origin: rotord.url, certPath: pki.p(`${who}.pem`),
      keyPath: pki.p(`${who}.key`)}],
  });
}

before(async () => {
  rotord = await startRotord([], (dir, tokens) => {
    pki = makePki(dir);
    appendFileSync(tokens, `cert-sha256:${pki.fingerprint} audrey-cert auditor\n`);
    return ['--tls-cert', pki.p('server.pem'), '--tls-key', pki.p('server.key'),
      '--client-ca', pki.p('ca.pem')];
  });
  assert.match(rotord.url, /^https:/);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (rotord) await rotord.stop();
});

test('the API knows the mapped certificate as its person, the other as its agent', async () => {
  assert.deepEqual(await getWith('audrey', '/v1/whoami'),
      {status: 200, body: {name: 'audrey-cert', role: 'auditor'}});
  const laptop = await getWith('laptop-7', '/v1/whoami');
  assert.equal(laptop.body.role, 'agent');
});

test('a person signs in with the client certificate, without a token', async () => {
  const context = await contextWith('audrey');
  const page = await context.newPage();
  await page.goto(rotord.url + '/');
  const offer = page.getByRole('region', {name: 'Client certificate'});
  await offer.getByText('audrey-cert').waitFor();
  await offer.getByText('(auditor)').waitFor();
  assert.deepEqual(await axeViolations(page), [], 'sign-in: serious or critical violations');
  await screenshot(page, 'sign-in-certificate');
  await offer.getByRole('button', {name: 'Use my client certificate'}).click();
  await page.locator('#who').getByText('by client certificate').waitFor();
  assert.equal(await page.locator('#who-name').textContent(), 'audrey-cert');
  await page.locator('#who').getByText('auditor', {exact: true}).waitFor();
  await page.getByRole('link', {name: 'Audit'}).waitFor();
  assert.equal(await page.getByRole('button', {name: 'Replace a certificate'}).count(), 0,
      'an auditor is offered no action');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('rotor.token')), null,
      'no token is stored');
  await page.getByRole('link', {name: 'Audit'}).click();
  await page.getByText('ok: the chain holds').waitFor();
  await page.reload();  // the tab stays signed in by its certificate
  await page.getByText('ok: the chain holds').waitFor();
  await page.getByRole('button', {name: 'Sign out'}).click();
  await page.getByRole('button', {name: 'Use my client certificate'}).waitFor();
  await context.close();
});

test('an agent\'s certificate is not offered for sign-in', async () => {
  const context = await contextWith('laptop-7');
  const page = await context.newPage();
  // The offer would follow the whoami answer; wait for that answer first.
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/whoami'));
  await page.goto(rotord.url + '/');
  await page.getByLabel('Bearer token').waitFor();
  assert.equal((await answered).status(), 200, 'rotord knows it as an agent');
  assert.equal(await page.getByRole('button', {name: 'Use my client certificate'}).count(), 0);
  await context.close();
});
