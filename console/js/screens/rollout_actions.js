// A rollout's actions, each behind a confirmation that shows the
// consequence: stage, switch bindings, record a gateway refresh, finalize
// (refused with the server's numbers while agents are outstanding; forcing
// shows which agents, by gateway and site, lose the Notification Server and
// needs a typed reason), cancel.
import * as api from '../api.js';
import {h} from '../dom.js';
import {confirmDialog, field, refresh} from '../dialog.js';

const ACTIVE = ['initiated', 'staged', 'distributing', 'ready to finalize'];

function post(id, action, body) {
  return api.call('POST', `/v1/rollouts/${encodeURIComponent(id)}/${action}`, body || {});
}

function stage(p) {
  const profile = h('input', {type: 'text', value: 'default', autocomplete: 'off'});
  confirmDialog({
    title: 'Stage the new certificate',
    body: h('p', {}, 'The new certificate is added to the agents\' communication profile. ' +
        'Agents pick it up over the coming days; the server keeps using the old one.'),
    fields: field('Communication profile', profile),
    confirmLabel: 'Stage',
    action: () => post(p.rollout_id, 'stage', {communication_profile: profile.value.trim()}),
    done: refresh,
  });
}

function switchBindings(p) {
  confirmDialog({
    title: 'Switch the server\'s bindings',
    body: h('p', {}, `The server starts using the new certificate. ${p.received} of ${p.total} ` +
        'counted agents hold it now.'),
    confirmLabel: 'Switch bindings',
    action: () => post(p.rollout_id, 'switch-bindings'),
    done: refresh,
  });
}

function cancel(p) {
  const reason = h('input', {type: 'text', autocomplete: 'off'});
  confirmDialog({
    title: 'Cancel the rollout',
    body: h('p', {}, 'The old certificate stays in use; nothing breaks. The rollout cannot be ' +
        'resumed.'),
    fields: field('Reason (optional)', reason),
    confirmLabel: 'Cancel rollout',
    danger: true,
    action: () => post(p.rollout_id, 'cancel', reason.value.trim() ? {reason: reason.value.trim()} : {}),
    done: refresh,
  });
}

function finalize(p) {
  confirmDialog({
    title: 'Finalize the rollout',
    body: h('p', {}, 'The new certificate is put in use and the old one goes away. ' +
        `${p.received} of ${p.total} counted agents received the new certificate.`),
    confirmLabel: 'Finalize',
    action: () => post(p.rollout_id, 'finalize', {}),
    done: refresh,
    failed: (err, dialog) => {
      if (err.status !== 412 || !err.details) return;
      const d = err.details;
      const buttons = dialog.querySelector('.dialog-buttons');
      if (buttons.querySelector('.force')) return;
      const alert = dialog.querySelector('.dialog-error');
      alert.appendChild(h('div', {}, `${d.outstanding} of ${d.total} agents are outstanding ` +
          `(${d.stale_outstanding} of them stale).`));
      buttons.appendChild(h('button', {type: 'button', class: 'danger force', onclick: () => {
        dialog.close();
        forceFinalize(p.rollout_id);
      }}, 'Force finalize…'));
    },
  });
}

function consequenceTable(title, rows) {
  const losing = rows.filter((r) => r.outstanding > 0);
  return h('table', {class: 'grid compact'}, h('caption', {}, title),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'),
          h('th', {scope: 'col'}, 'Agents losing it'), h('th', {scope: 'col'}, 'of them stale'))),
      h('tbody', {}, losing.map((r) => h('tr', {}, h('th', {scope: 'row'}, r.key || '(none)'),
          h('td', {class: 'num'}, r.outstanding), h('td', {class: 'num'}, r.stale)))));
}

async function forceFinalize(id) {
  const [p, page] = await Promise.all([
    api.get(`/v1/rollouts/${encodeURIComponent(id)}`),
    api.get(`/v1/rollouts/${encodeURIComponent(id)}/agents`, {status: 'outstanding', limit: 20}),
  ]);
  const reason = h('input', {type: 'text', autocomplete: 'off', required: true});
  const more = page.total - page.agents.length;
  confirmDialog({
    title: 'Force finalize: the consequence',
    body: [
      h('p', {class: 'consequence', id: 'consequence'},
          `${p.outstanding} agents have not received the new certificate and will lose the ` +
          'Notification Server when the old certificate goes away.'),
      h('div', {class: 'columns'}, consequenceTable('By gateway', p.by_gateway),
          consequenceTable('By site', p.by_site)),
      h('p', {}, 'First agents: ', page.agents.map((a) => a.agent_id).join(', '),
          more > 0 ? ` and ${more} more.` : '.'),
    ],
    fields: field('Reason (required to force)', reason),
    confirmLabel: 'Force finalize',
    danger: true,
    ready: () => reason.value.trim().length > 0,
    action: () => post(id, 'finalize', {force: true, reason: reason.value.trim()}),
    done: refresh,
  });
}

function refreshGateway(rolloutId, gatewayId, step) {
  confirmDialog({
    title: `Record a refresh of gateway ${gatewayId}`,
    body: h('p', {}, `Records that gateway ${gatewayId} was refreshed by hand (${step}), ` +
        'with you as the one who did it.'),
    confirmLabel: 'Record refresh',
    action: () => api.call('POST', `/v1/gateways/${encodeURIComponent(gatewayId)}/refresh`,
        {rollout_id: rolloutId}),
    done: refresh,
  });
}

function buttons(p) {
  const active = ACTIVE.includes(p.state);
  if (!active) return null;
  const out = [];
  if (p.mode === 'pre-staged' && !p.staged) {
    out.push(h('button', {type: 'button', onclick: () => stage(p)}, 'Stage…'));
  }
  if (p.mode === 'pre-staged' && p.staged && !p.bindings_switched) {
    out.push(h('button', {type: 'button', onclick: () => switchBindings(p)}, 'Switch bindings…'));
  }
  if (p.kind === 'replacement') {
    out.push(h('button', {type: 'button', class: 'primary', onclick: () => finalize(p)},
        'Finalize…'));
  }
  out.push(h('button', {type: 'button', class: 'danger', onclick: () => cancel(p)}, 'Cancel…'));
  return h('div', {class: 'actions'}, out);
}

export const rolloutActions = {buttons, refreshGateway};
