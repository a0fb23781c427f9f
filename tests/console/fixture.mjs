// Test fixture for the console's browser tests: a real rotord on an
// ephemeral port (real RocksDB in a fresh directory, a real tokens file),
// certificates made by the openssl CLI, the article's story played through
// the public API, and Debian's chromium driven by playwright-core.
import {execFileSync, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdtempSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {chromium} from 'playwright-core';

export const BIN = process.env.ROTOR_BIN || path.resolve('../../build/bin');
export const ARTIFACTS = process.env.ROTOR_ARTIFACTS || path.resolve('../../build/console-screenshots');

export const TOKENS = {
  admin: 'console-test-admin-token-0001',
  operator: 'console-test-operator-token-0002',
  auditor: 'console-test-auditor-token-0003',
  agent: 'console-test-agent-token-0004',
};

// Starts rotord on a fresh data directory; resolves once it prints its URL.
// `prepare(dir, tokensFile)`, when given, may add to the tokens file and
// returns more arguments.
export async function startRotord(extraArgs = [], prepare = undefined) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rotor-console-'));
  const tokens = path.join(dir, 'tokens');
  // The tokens file holds SHA-256 digests only; an agent token names its agent.
  writeFileSync(tokens, Object.entries(TOKENS).map(([role, token]) => {
    const digest = createHash('sha256').update(token).digest('hex');
    return `sha256:${digest} console-${role} ${role}${role === 'agent' ? ' agent-0001' : ''}\n`;
  }).join(''), {mode: 0o600});
  const more = prepare ? prepare(dir, tokens) : [];
  const child = spawn(path.join(BIN, 'rotord'), ['--data', path.join(dir, 'data'),
    '--listen', '127.0.0.1:0', '--tokens', tokens, ...extraArgs, ...more],
  {stdio: ['ignore', 'pipe', 'pipe']});
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({input: child.stdout});
    lines.on('line', (line) => {
      const m = line.match(/^listening on (\S+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`rotord exited with ${code}: ${log}`)));
  });
  return {url, dir, child, stop: () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', resolve);
    child.kill('SIGTERM');
  })};
}

// One API call as `role`; throws with the server's message on an error.
export async function call(url, method, p, body, role = 'admin') {
  const res = await fetch(url + p, {method, headers: {Authorization: `Bearer ${TOKENS[role]}`,
    'Content-Type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// A self-signed certificate (PEM) from the openssl CLI.
export function makeCertificate(dir, name) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-keyout', key, '-out', cert, '-days', '400', '-subj', `/CN=${name}.rotor.test`],
  {stdio: 'ignore'});
  return readFileSync(cert, 'utf8');
}

export function agentId(i) {
  return `agent-${String(i).padStart(6, '0')}`;
}

// Reports in batches of at most 5000.
export async function report(url, reports) {
  for (let i = 0; i < reports.length; i += 5000) {
    await call(url, 'POST', '/v1/reports:batch', {reports: reports.slice(i, i + 5000)});
  }
}

let reportCounter = 0;
export function reportOf(i, at, fingerprints) {
  return {reportId: `rep-${++reportCounter}-${i}`, agentId: agentId(i), reportedAt: at,
    certificateFingerprints: fingerprints, gatewayId: `gw-${i % 4}`, site: `site-${i % 7}`,
    cloudEnabled: i % 3 === 0};
}

// The article's story: `holders` agents report the old web certificate and
// `others` do not (3 days ago); the replacement is initiated; `first`
// holders receive the new one (a moment kept for time travel), then up to
// `received`; the rest go silent and are flagged stale; one is revoked.
// Returns {rolloutId, oldFp, newFp, earlySequence}.
export async function playArticle(url, dir, {holders = 2393, others = 107, first = 1000,
  received = 2076} = {}) {
  const oldPem = makeCertificate(dir, 'old-web');
  const newPem = makeCertificate(dir, 'new-web');
  const oldFp = (await call(url, 'POST', '/v1/certificates', {kind: 'server-web', pem: oldPem}))
      .fingerprint;
  const newFp = (await call(url, 'POST', '/v1/certificates', {kind: 'server-web', pem: newPem}))
      .fingerprint;
  const early = new Date(Date.now() - 3 * 86400e3).toISOString();
  const all = [];
  for (let i = 0; i < holders + others; ++i) all.push(reportOf(i, early, i < holders ? [oldFp] : []));
  await report(url, all);
  const {rollout_id: rolloutId} = await call(url, 'POST', '/v1/replacements',
      {rollout_id: 'r-article', old_fingerprint: oldFp, new_fingerprint: newFp, mode: 'direct'});
  const now = () => new Date(Date.now() - 1000).toISOString();
  const got = (from, to) => {
    const out = [];
    for (let i = from; i < to; ++i) out.push(reportOf(i, now(), [oldFp, newFp]));
    return out;
  };
  await report(url, got(0, first));
  const earlySequence = (await call(url, 'GET', '/v1/verify', undefined, 'auditor')).events;
  await report(url, got(first, received));
  const fresh = [];
  for (let i = holders; i < holders + others; ++i) fresh.push(reportOf(i, now(), []));
  await report(url, fresh);
  await call(url, 'POST', '/v1/sweeps/stale', {threshold_seconds: 86400});
  await call(url, 'POST', `/v1/agents/${agentId(holders - 1)}/revoke`, {reason_code: 1});
  return {rolloutId, oldFp, newFp, earlySequence};
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.ROTOR_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page, name, fullPage = true) {
  mkdirSync(ARTIFACTS, {recursive: true});
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({path: file, fullPage});
  return file;
}

// Signs in through the sign-in form, as a person would.
export async function signIn(page, url, role) {
  await page.goto(url + '/');
  await page.getByLabel('Bearer token').fill(TOKENS[role]);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByText(`console-${role}`, {exact: true}).waitFor();
}
