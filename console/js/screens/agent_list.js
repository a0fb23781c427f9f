// A server-side paged, filterable list of agents: a rollout's outstanding
// or stale agents (GET /v1/rollouts/{id}/agents) or the fleet (GET
// /v1/agents). Only one page is ever fetched; the server counts the rest.
// In time travel the server answers as of the chosen moment.
import * as data from '../data.js';
import {h, replace, time} from '../dom.js';
import {field} from '../dialog.js';

const PAGE = 20;
let lists = 0;

function flags(a) {
  const out = [];
  if (a.stale) out.push('stale');
  if (a.revoked) out.push('revoked');
  if (a.deleted) out.push('deleted');
  return out.join(', ') || '—';
}

// opts: title, rollout (id, or undefined for the fleet), status
// ('outstanding' | 'stale'), fleetFlags (offer the stale/revoked filter).
export function agentList(opts) {
  const n = ++lists;
  const prefix = h('input', {type: 'search', autocomplete: 'off', name: 'prefix'});
  const gateway = h('input', {type: 'text', autocomplete: 'off', name: 'gateway'});
  const site = h('input', {type: 'text', autocomplete: 'off', name: 'site'});
  const flag = h('select', {name: 'flag'}, [['', 'any'], ['stale', 'stale'],
    ['revoked', 'revoked']].map(([value, label]) => h('option', {value}, label)));
  const body = h('div', {'aria-live': 'polite'});
  let offset = 0;
  let latest = 0;  // only the newest request's answer is shown
  const path = opts.rollout ? `/v1/rollouts/${encodeURIComponent(opts.rollout)}/agents` :
    '/v1/agents';

  async function load() {
    const query = {offset, limit: PAGE, prefix: prefix.value.trim(),
      gateway: gateway.value.trim(), site: site.value.trim()};
    if (opts.status) query.status = opts.status;
    if (flag.value === 'stale') query.stale = 'true';
    if (flag.value === 'revoked') query.revoked = 'true';
    const mine = ++latest;
    try {
      const page = await data.read(path, query);
      if (mine === latest) show(page);
    } catch (err) {
      if (mine === latest) replace(body, h('p', {class: 'error', role: 'alert'}, err.message));
    }
  }

  function show(page) {
    const last = Math.min(page.offset + page.agents.length, page.total);
    const pager = h('div', {class: 'pager'},
        h('span', {}, page.total ? `${page.offset + 1}–${last} of ${page.total}` : 'none'),
        h('button', {type: 'button', disabled: page.offset === 0,
          onclick: () => { offset = Math.max(0, offset - PAGE); load(); }}, 'Previous page'),
        h('button', {type: 'button', disabled: last >= page.total,
          onclick: () => { offset += PAGE; load(); }}, 'Next page'));
    replace(body, page.agents.length ? h('table', {class: 'grid agents'},
        h('thead', {}, h('tr', {}, ['Agent', 'Gateway', 'Site', 'Last report', 'Flags'].map(
            (c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, page.agents.map((a) => h('tr', {},
            h('th', {scope: 'row'}, h('a', {href: `#/agents/${encodeURIComponent(a.agent_id)}`},
                a.agent_id)),
            h('td', {}, a.gateway_id || '—'), h('td', {}, a.site || '—'),
            h('td', {}, time(a.last_report_at)), h('td', {}, flags(a)))))) :
      h('p', {class: 'muted'}, 'No agent matches.'), pager);
  }

  const form = h('form', {class: 'filters', role: 'search',
    'aria-label': `Filter ${opts.title.toLowerCase()}`},
  field('Agent id starts with', prefix), field('Gateway', gateway), field('Site', site),
  opts.fleetFlags ? field('Flag', flag) : null,
  h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    offset = 0;
    load();
  });
  load();
  return h('section', {class: 'card', 'aria-labelledby': `list-${n}`},
      h('h2', {id: `list-${n}`}, opts.title), form, body);
}
