// Fleet-wide actions, each behind a confirmation that says what will
// happen: register a certificate, initiate a replacement.
import * as api from '../api.js';
import {h, shortFp} from '../dom.js';
import {confirmDialog, field, refresh} from '../dialog.js';

const KINDS = [
  ['server-web', 'Server web certificate'],
  ['cem-root', 'CEM root certificate'],
  ['cem-agent', 'CEM agent certificate'],
  ['gateway-reporting', 'Gateway reporting certificate'],
];

function select(options, attrs) {
  return h('select', attrs || {}, options.map(([value, label]) => h('option', {value}, label)));
}

// Reads a PEM or DER file into the body POST /v1/certificates takes.
async function certificateBody(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN')) return {pem: text};
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return {der_base64: btoa(binary)};
}

export function registerCertificateButton() {
  return h('button', {type: 'button', onclick: registerCertificate}, 'Register certificate');
}

function registerCertificate() {
  const kind = select(KINDS);
  const file = h('input', {type: 'file', accept: '.pem,.crt,.cer,.der'});
  const agent = h('input', {type: 'text', autocomplete: 'off'});
  confirmDialog({
    title: 'Register a certificate',
    body: h('p', {}, 'Rotor records the certificate under its SHA-256 fingerprint. Nothing is ' +
        'distributed until a replacement is initiated.'),
    fields: [field('Kind', kind), field('Certificate file (PEM or DER)', file),
      field('Agent id (CEM agent certificates only)', agent)],
    confirmLabel: 'Register',
    ready: () => file.files.length === 1,
    action: async () => {
      const body = {kind: kind.value, ...(await certificateBody(file.files[0]))};
      if (agent.value.trim()) body.agent_id = agent.value.trim();
      return api.call('POST', '/v1/certificates', body);
    },
    done: refresh,
  });
}

export function startReplacementButton() {
  return h('button', {type: 'button', class: 'primary', onclick: startReplacement},
      'Replace a certificate');
}

async function startReplacement() {
  const certs = (await api.get('/v1/certificates')).certificates.filter((c) => !c.revoked);
  const label = (c) => `${c.kind}: ${c.subject || shortFp(c.fingerprint)} (${shortFp(c.fingerprint)}, ` +
      `held by ${c.holders}, expires ${c.not_after.slice(0, 10)})`;
  const options = certs.map((c) => [c.fingerprint, label(c)]);
  const oldFp = select(options);
  const newFp = select(options);
  if (certs.length > 1) newFp.selectedIndex = 1;
  const mode = select([['direct', 'Direct: distribute now'],
    ['pre-staged', 'Pre-staged: stage in the communication profile, then switch bindings']]);
  const consequence = h('p', {class: 'consequence', 'aria-live': 'polite'});
  const explain = () => {
    const old = certs.find((c) => c.fingerprint === oldFp.value);
    consequence.textContent = old ?
      `${old.holders} agents hold the old certificate today and will be counted; the new ` +
      'certificate starts to be distributed and connectivity never breaks. The old one stays ' +
      'in use until you finalize.' : '';
  };
  oldFp.addEventListener('change', explain);
  explain();
  confirmDialog({
    title: 'Initiate a replacement',
    body: consequence,
    fields: [field('Old certificate', oldFp), field('New certificate', newFp), field('Mode', mode)],
    confirmLabel: 'Initiate replacement',
    ready: () => oldFp.value && newFp.value && oldFp.value !== newFp.value,
    action: () => api.call('POST', '/v1/replacements', {
      old_fingerprint: oldFp.value, new_fingerprint: newFp.value, mode: mode.value}),
    done: (r) => {
      location.hash = `#/rollouts/${encodeURIComponent(r.rollout_id)}`;
    },
  });
}
