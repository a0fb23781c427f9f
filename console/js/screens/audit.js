// Audit: the hash chain's state (GET /v1/verify) and time travel: pick a
// moment (a time or a sequence) and the whole console shows Rotor as it
// stood then, from GET /v1/replay?as_of= (read-only, with a banner).
import * as api from '../api.js';
import * as data from '../data.js';
import {h, replace, time} from '../dom.js';
import {field} from '../dialog.js';
import {asOf, setAsOf} from '../session.js';

export async function render(main) {
  const verify = await api.get('/v1/verify');
  const moment = h('input', {type: 'text', autocomplete: 'off', spellcheck: 'false',
    placeholder: '2026-11-01T00:00:00Z or 1200', value: asOf() || ''});
  const error = h('div', {role: 'alert'});
  const form = h('form', {class: 'filters', 'aria-label': 'Time travel'},
      field('Moment: a time (RFC 3339) or a sequence number', moment),
      h('button', {type: 'submit', class: 'primary'}, 'Travel to this moment'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = moment.value.trim();
    try {
      await api.get('/v1/replay', {as_of: value});
      setAsOf(value);
      location.hash = '#/rollouts';
      window.dispatchEvent(new Event('rotor:refresh'));
    } catch (err) {
      replace(error, h('p', {class: 'error'}, err.message));
    }
  });
  const at = asOf() ? await data.replay() : null;
  replace(main, h('h1', {}, 'Audit'),
      h('section', {class: 'card', 'aria-labelledby': 'chain'},
          h('h2', {id: 'chain'}, 'Hash chain'),
          h('dl', {class: 'facts'},
              h('dt', {}, 'Verified'), h('dd', {id: 'verify-ok', class: verify.ok ? 'ok' : 'bad'},
                  verify.ok ? 'ok: the chain holds' : `BROKEN at ${verify.first_bad_sequence}: ` +
                  `${verify.problem}`),
              h('dt', {}, 'Events'), h('dd', {}, verify.events),
              h('dt', {}, 'Head hash'), h('dd', {class: 'mono'}, verify.head_hash))),
      h('section', {class: 'card', 'aria-labelledby': 'travel'},
          h('h2', {id: 'travel'}, 'Time travel'),
          h('p', {}, 'Show Rotor as it stood at a past moment, with the numbers of ' +
              '`rotorctl replay --as-of`. Read-only.'),
          form, error,
          at ? h('p', {}, `Showing sequence ${at.last_sequence} (${time(at.last_recorded_at)}): ` +
              `${at.events} events, ${at.agent_count} agents, ${at.rollouts.length} rollouts.`) :
            null));
}
