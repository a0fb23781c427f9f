// Rollouts: every rollout with a live progress bar, the article's sentence,
// state, stale, revoked and ETA, updated from GET /v1/stream without reloads.
import * as api from '../api.js';
import * as data from '../data.js';
import {duration, h, progressBar, replace, shortFp} from '../dom.js';
import {asOf, canAct} from '../session.js';
import {registerCertificateButton, startReplacementButton} from './actions.js';

function row(p) {
  return h('tr', {'data-rollout': p.rollout_id},
      h('th', {scope: 'row'}, h('a', {href: `#/rollouts/${encodeURIComponent(p.rollout_id)}`},
          p.rollout_id)),
      h('td', {}, p.kind === 'renewal' ? `renewal (${p.renewal_target})` :
          `${p.certificate_kind} ${shortFp(p.old_fingerprint)} → ${shortFp(p.new_fingerprint)}`),
      h('td', {}, h('span', {class: `state state-${p.state.replace(/[^a-z]+/g, '-')}`}, p.state)),
      h('td', {class: 'progress-cell'},
          progressBar(p.received, p.total, `${p.rollout_id} progress`),
          h('div', {class: 'summary'}, p.summary)),
      h('td', {class: 'num'}, p.stale),
      h('td', {class: 'num'}, p.revoked),
      h('td', {class: 'num'}, duration(p.eta_seconds)));
}

export async function render(main, params, signal) {
  const list = await data.rollouts();
  const tbody = h('tbody', {}, list.map(row));
  const live = h('span', {class: 'live', id: 'live-state'}, asOf() ? 'as of ' + asOf() : '');
  const table = h('table', {class: 'grid', 'aria-describedby': 'rollouts-caption'},
      h('caption', {id: 'rollouts-caption'}, 'Every rollout, newest last. ', live),
      h('thead', {}, h('tr', {},
          h('th', {scope: 'col'}, 'Rollout'), h('th', {scope: 'col'}, 'Certificate'),
          h('th', {scope: 'col'}, 'State'), h('th', {scope: 'col'}, 'Progress'),
          h('th', {scope: 'col'}, 'Stale'), h('th', {scope: 'col'}, 'Revoked'),
          h('th', {scope: 'col'}, 'ETA'))),
      tbody);
  replace(main,
      h('div', {class: 'title-row'}, h('h1', {}, 'Rollouts'),
          canAct() ? h('div', {class: 'actions'}, registerCertificateButton(),
              startReplacementButton()) : null),
      list.length ? table : h('p', {class: 'muted'}, 'No rollout yet.'));
  if (!list.length) main.appendChild(table).hidden = true;
  if (asOf()) return;
  // The count rises live: each `progress` event replaces its row.
  api.follow((p) => {
    const old = tbody.querySelector(`tr[data-rollout="${CSS.escape(p.rollout_id)}"]`);
    if (old) {
      // Keep the keyboard focus on the row's link across the update.
      const focused = old.contains(document.activeElement);
      const fresh = row(p);
      tbody.replaceChild(fresh, old);
      if (focused) fresh.querySelector('a').focus();
    } else {
      tbody.appendChild(row(p));
      table.hidden = false;
      const empty = main.querySelector('p.muted');
      if (empty) empty.remove();
    }
  }, signal, (state) => {
    live.textContent = state === 'live' ? 'Live.' : 'Reconnecting…';
  });
}
