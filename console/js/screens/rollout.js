// Rollout: the article's sentence and numbers (live), by gateway and by
// site, the pending gateway refreshes as a checklist, the outstanding and
// stale agents as server-side paged lists, the timeline, and the actions.
// In time travel every part shows the chosen moment and nothing follows
// the live stream.
import * as api from '../api.js';
import * as data from '../data.js';
import {duration, fillBar, h, progressBar, replace, shortFp, time} from '../dom.js';
import {asOf, canAct} from '../session.js';
import {progressChart} from '../chart.js';
import {agentList} from './agent_list.js';
import {rolloutActions} from './rollout_actions.js';

function stat(label, value, cls) {
  return h('div', {class: `stat ${cls || ''}`}, h('div', {class: 'stat-value'}, value),
      h('div', {class: 'stat-label'}, label));
}

function headline(p) {
  return h('section', {class: 'card headline', 'aria-labelledby': 'summary'},
      h('p', {id: 'summary', class: 'sentence'}, p.summary),
      progressBar(p.received, p.total, 'Agents that received the new certificate'),
      h('div', {class: 'stats'},
          stat('State', p.state), stat('Counted', p.total), stat('Received', p.received),
          stat('Outstanding', p.outstanding), stat('Stale', p.stale, p.stale ? 'warn' : ''),
          stat('Revoked', p.revoked), stat('Not counted', p.not_counted),
          stat('Received last hour', p.rate_per_hour), stat('ETA', duration(p.eta_seconds))));
}

function breakdown(title, rows, keyLabel) {
  const max = Math.max(1, ...rows.map((r) => r.total));
  return h('section', {class: 'card', 'aria-labelledby': `bd-${keyLabel}`},
      h('h2', {id: `bd-${keyLabel}`}, title),
      rows.length ? h('table', {class: 'grid breakdown'},
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, keyLabel),
              h('th', {scope: 'col'}, 'Received of counted'), h('th', {scope: 'col'}, 'Outstanding'),
              h('th', {scope: 'col'}, 'Stale'))),
          h('tbody', {}, rows.map((r) => h('tr', {},
              h('th', {scope: 'row'}, r.key || '(none)'),
              h('td', {class: 'bars'}, h('span', {class: 'bar-pair'},
                  fillBar(r.total / max, 'total'),
                  fillBar(r.total ? (r.received / r.total) * (r.total / max) : 0, 'received')),
              ` ${r.received} of ${r.total}`),
              h('td', {class: 'num'}, r.outstanding), h('td', {class: 'num'}, r.stale))))) :
        h('p', {class: 'muted'}, 'No counted agent.'));
}

function checklist(p, rolloutId) {
  const steps = p.pending_gateway_steps || [];
  const items = steps.map((s) => h('li', {},
      h('input', {type: 'checkbox', disabled: true, id: `gw-${s.gateway_id}-${s.step}`,
        'aria-label': `Refresh of gateway ${s.gateway_id} ${s.step}: pending`}),
      ` Gateway ${s.gateway_id}: manual refresh ${s.step} `,
      canAct() ? h('button', {type: 'button', 'data-gateway': s.gateway_id,
        onclick: () => rolloutActions.refreshGateway(rolloutId, s.gateway_id, s.step)},
      `Record refresh of ${s.gateway_id}`) : null));
  return h('section', {class: 'card', 'aria-labelledby': 'checklist'},
      h('h2', {id: 'checklist'}, 'Pending gateway refreshes'),
      items.length ? h('ul', {class: 'checklist'}, items) :
        h('p', {class: 'muted'}, 'None pending.'));
}

function chartSection(samples) {
  return h('section', {class: 'card', 'aria-labelledby': 'chart-title'},
      h('h2', {id: 'chart-title'}, 'Progress over time'),
      h('p', {class: 'legend'}, h('span', {class: 'key received'}), ' received ',
          h('span', {class: 'key total'}), ' counted (log time)'),
      progressChart(samples));
}

function timelineSection(entries) {
  return h('section', {class: 'card', 'aria-labelledby': 'timeline'},
      h('h2', {id: 'timeline'}, 'Timeline'),
      h('ol', {class: 'timeline'}, entries.map((e) => h('li', {},
          h('span', {class: 'when'}, `#${e.sequence} ${time(e.recorded_at)}`), ' ',
          h('strong', {}, e.action), ' by ', e.actor, e.detail ? ` — ${e.detail}` : ''))));
}

export async function render(main, [id], signal) {
  const [p, entries] = await Promise.all([data.rollout(id), data.timeline(id)]);
  const samples = [];
  const chart = h('div', {}, h('p', {class: 'muted'}, 'Loading the chart…'));
  const head = h('div', {}, headline(p));
  const gateways = h('div', {}, breakdown('By gateway', p.by_gateway, 'Gateway'));
  const sites = h('div', {}, breakdown('By site', p.by_site, 'Site'));
  const steps = h('div', {}, checklist(p, id));
  const certs = h('p', {class: 'muted'},
      `${p.kind === 'renewal' ? `Renewal of ${p.renewal_target}` : p.certificate_kind}: ` +
      `old ${shortFp(p.old_fingerprint)}, new ${shortFp(p.new_fingerprint)}, mode ${p.mode}, ` +
      `initiated ${time(p.initiated_at)}${p.ended_at ? `, ended ${time(p.ended_at)}` : ''}.`);
  const lists = [
    agentList({title: 'Outstanding agents', rollout: id, status: 'outstanding', signal}),
    agentList({title: 'Stale agents', rollout: id, status: 'stale', signal}),
  ];
  replace(main,
      h('nav', {'aria-label': 'Breadcrumb', class: 'crumbs'},
          h('a', {href: '#/rollouts'}, 'Rollouts'), ` / ${id}`),
      h('div', {class: 'title-row'}, h('h1', {}, `Rollout ${id}`),
          canAct() ? rolloutActions.buttons(p) : null),
      certs, head, chart,
      h('div', {class: 'columns'}, gateways, sites),
      steps, lists, timelineSection(entries));
  data.series(id, 60).then((series) => {
    samples.unshift(...series.samples);
    replace(chart, chartSection(samples));
  }, (err) => replace(chart, h('p', {class: 'error'}, err.message)));
  if (asOf()) return;  // the moment's numbers, not followed live
  let shown = p;  // the progress on screen
  api.follow((next) => {
    if (next.rollout_id !== id) return;
    const last = samples[samples.length - 1];
    if (!last || Date.parse(next.as_of) >= Date.parse(last.at)) {
      samples.push({at: next.as_of, received: next.received, total: next.total});
      if (chart.querySelector('svg')) replace(chart, chartSection(samples));
    }
    replace(head, headline(next));
    replace(gateways, breakdown('By gateway', next.by_gateway, 'Gateway'));
    replace(sites, breakdown('By site', next.by_site, 'Site'));
    const stateChanged = next.state !== shown.state ||
      JSON.stringify(next.pending_gateway_steps) !== JSON.stringify(shown.pending_gateway_steps);
    if (stateChanged) replace(steps, checklist(next, id));
    shown = next;
  }, signal);
}
