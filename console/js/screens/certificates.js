// Certificates: registered certificates, how many agents hold each, expiry,
// and "due within N days".
import * as data from '../data.js';
import {h, replace, time} from '../dom.js';
import {field} from '../dialog.js';
import {canAct} from '../session.js';
import {registerCertificateButton} from './actions.js';

export async function render(main) {
  const days = h('input', {type: 'number', min: 0, max: 36500, inputmode: 'numeric'});
  const body = h('div', {'aria-live': 'polite'});
  async function load() {
    const list = await data.certificates(days.value === '' ? undefined : days.value);
    replace(body, list.length ? h('table', {class: 'grid'},
        h('thead', {}, h('tr', {}, ['Fingerprint', 'Kind', 'Subject', 'Holders', 'Expires',
          'Revoked'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, list.map((c) => h('tr', {},
            h('th', {scope: 'row', class: 'mono', title: c.fingerprint}, c.fingerprint.slice(0, 16)),
            h('td', {}, c.kind), h('td', {}, c.subject || '—'),
            h('td', {class: 'num'}, c.holders), h('td', {}, time(c.not_after)),
            h('td', {}, c.revoked ? 'revoked' : '—'))))) :
      h('p', {class: 'muted'}, 'No certificate.'));
  }
  const form = h('form', {class: 'filters', 'aria-label': 'Filter certificates'},
      field('Due within days', days), h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load().catch((err) => replace(body, h('p', {class: 'error', role: 'alert'}, err.message)));
  });
  replace(main, h('div', {class: 'title-row'}, h('h1', {}, 'Certificates'),
      canAct() ? h('div', {class: 'actions'}, registerCertificateButton()) : null),
  form, body);
  await load();
}
