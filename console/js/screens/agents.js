// Agents: search and filter across the fleet (server-side pages), and an
// agent's page with its certificates, gateway, site, flags and actions
// (revoke with an RFC 5280 reason, delete its resource). In time travel both
// show the chosen moment, read-only.
import * as api from '../api.js';
import * as data from '../data.js';
import {h, replace, time} from '../dom.js';
import {confirmDialog, field, refresh} from '../dialog.js';
import {canAct} from '../session.js';
import {agentList} from './agent_list.js';

// RFC 5280 CRLReason codes (7 is unused).
const REASONS = [[0, 'unspecified'], [1, 'keyCompromise'], [2, 'cACompromise'],
  [3, 'affiliationChanged'], [4, 'superseded'], [5, 'cessationOfOperation'],
  [6, 'certificateHold'], [8, 'removeFromCRL'], [9, 'privilegeWithdrawn'], [10, 'aACompromise']];

function revoke(a) {
  const reason = h('select', {}, REASONS.map(([code, name]) =>
    h('option', {value: code}, `${code} ${name}`)));
  confirmDialog({
    title: `Revoke agent ${a.agent_id}`,
    body: h('p', {}, `The agent's CEM certificate is revoked at once: ${a.agent_id} can no ` +
        'longer get in, and its reports are refused.'),
    fields: field('Reason (RFC 5280)', reason),
    confirmLabel: 'Revoke',
    danger: true,
    action: () => api.call('POST', `/v1/agents/${encodeURIComponent(a.agent_id)}/revoke`,
        {reason_code: Number(reason.value)}),
    done: refresh,
  });
}

function remove(a) {
  const reason = h('input', {type: 'text', autocomplete: 'off'});
  confirmDialog({
    title: `Delete agent ${a.agent_id}'s resource`,
    body: h('p', {}, 'The agent leaves every statistic: it is no longer counted or shown as ' +
        'stale. A later report brings it back.'),
    fields: field('Reason (optional)', reason),
    confirmLabel: 'Delete resource',
    danger: true,
    action: () => api.call('DELETE', `/v1/agents/${encodeURIComponent(a.agent_id)}`,
        reason.value.trim() ? {reason: reason.value.trim()} : undefined),
    done: refresh,
  });
}

// One line of an agent's history from its event's payload.
function describe(e) {
  const type = e.event_type.replace(/^rotor\.v1\./, '');
  const p = e.payload || {};
  const what = {
    AgentInventoryReported: () => `reported ${(p.certificate_fingerprints || []).length} ` +
      `certificate(s) via ${p.gateway_id || 'no gateway'} at ${p.site || 'no site'}`,
    AgentFlaggedStale: () => 'flagged stale: stopped reporting',
    AgentStaleCleared: () => 'reporting again: no longer stale',
    CertificateRevoked: () => `CEM certificate revoked (reason ${p.reason_code ?? 0})`,
    AgentResourceDeleted: () => `resource deleted${p.reason ? `: ${p.reason}` : ''}`,
    AgentCertificateRenewed: () => 'CEM certificate renewed',
    AgentReportRejected: () => `report rejected${p.reason ? `: ${p.reason}` : ''}`,
  }[type];
  return what ? what() : type;
}

async function history(id) {
  const t = await data.agentTimeline(id, 50);
  return h('section', {class: 'card', 'aria-labelledby': 'agent-history'},
      h('h2', {id: 'agent-history'}, 'History'),
      h('p', {class: 'muted'}, `The latest ${t.entries.length} of ${t.events_total} events.`),
      h('ol', {class: 'timeline'}, t.entries.map((e) => h('li', {},
          h('span', {class: 'when'}, `#${e.sequence} ${time(e.recorded_at)}`), ' ',
          h('strong', {}, describe(e)), ' by ', e.actor))));
}

async function agentPage(main, id) {
  const [a, events] = await Promise.all([data.agent(id), history(id)]);
  const flags = ['stale', 'revoked', 'deleted', 'cloud_enabled'].filter((f) => a[f]);
  replace(main,
      h('nav', {'aria-label': 'Breadcrumb', class: 'crumbs'},
          h('a', {href: '#/agents'}, 'Agents'), ` / ${id}`),
      h('div', {class: 'title-row'}, h('h1', {}, `Agent ${id}`),
          canAct() && !a.deleted ? h('div', {class: 'actions'},
              a.revoked ? null : h('button', {type: 'button', class: 'danger',
                onclick: () => revoke(a)}, 'Revoke…'),
              h('button', {type: 'button', class: 'danger', onclick: () => remove(a)},
                  'Delete resource…')) : null),
      h('section', {class: 'card'}, h('dl', {class: 'facts'},
          h('dt', {}, 'Gateway'), h('dd', {}, a.gateway_id || '—'),
          h('dt', {}, 'Site'), h('dd', {}, a.site || '—'),
          h('dt', {}, 'Last report'), h('dd', {}, time(a.last_report_at)),
          h('dt', {}, 'Flags'), h('dd', {}, flags.join(', ').replace('_', '-') || 'none'))),
      h('section', {class: 'card', 'aria-labelledby': 'agent-certs'},
          h('h2', {id: 'agent-certs'}, 'Certificates in its latest inventory'),
          h('ul', {class: 'mono'}, a.certificates.map((fp) => h('li', {title: fp}, fp)))),
      events);
}

export async function render(main, params) {
  if (params.length) {
    await agentPage(main, params[0]);
    return;
  }
  replace(main, h('h1', {}, 'Agents'),
      agentList({title: 'Fleet', fleetFlags: true}));
}
