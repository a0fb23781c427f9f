// Audit: the hash chain's state (GET /v1/verify), the latest signed
// checkpoints of the log's Merkle tree (GET /v1/checkpoints?latest=), and time
// travel: pick a moment (a time or a sequence) and the whole console shows
// Rotor as it stood then, from GET /v1/replay?as_of= (read-only, with a banner).
import * as api from '../api.js';
import * as data from '../data.js';
import {h, replace, time} from '../dom.js';
import {field} from '../dialog.js';
import {asOf, setAsOf} from '../session.js';

// The latest checkpoints: tree size, the time of the last event each covers,
// root hash (base64, as in the signed note).
function checkpointList(list) {
  if (list.checkpoints.length === 0) {
    return h('p', {class: 'muted'}, list.verifier_key ? 'No checkpoint signed yet.' :
      'No checkpoint key is configured (rotord --checkpoint-key).');
  }
  return h('table', {class: 'grid'},
      h('caption', {}, `The latest ${list.checkpoints.length} of origin ${list.origin}, ` +
          `signed by ${list.verifier_key}`),
      h('thead', {}, h('tr', {}, ['Tree size', 'Last event recorded', 'Root hash'].map(
          (c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, list.checkpoints.map((c) => h('tr', {},
          h('th', {scope: 'row', class: 'num'}, c.tree_size),
          h('td', {}, c.recorded_at ? time(c.recorded_at) : '—'),
          h('td', {class: 'mono'}, c.root_hash)))));
}

export async function render(main) {
  const verify = await api.get('/v1/verify');
  const checkpoints = await api.get('/v1/checkpoints', {latest: '10'});
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
          asOf() ? h('p', {class: 'muted'}, 'The chain and its checkpoints as they stand now: ' +
              'time travel shows the other screens as of the chosen moment.') : null,
          h('dl', {class: 'facts'},
              h('dt', {}, 'Verified'), h('dd', {id: 'verify-ok', class: verify.ok ? 'ok' : 'bad'},
                  verify.ok ? 'ok: the chain holds' : `BROKEN at ${verify.first_bad_sequence}: ` +
                  `${verify.problem}`),
              h('dt', {}, 'Events'), h('dd', {}, verify.events),
              h('dt', {}, 'Head hash'), h('dd', {class: 'mono'}, verify.head_hash))),
      h('section', {class: 'card', 'aria-labelledby': 'checkpoints'},
          h('h2', {id: 'checkpoints'}, 'Signed checkpoints'),
          checkpointList(checkpoints)),
      h('section', {class: 'card', 'aria-labelledby': 'travel'},
          h('h2', {id: 'travel'}, 'Time travel'),
          h('p', {}, 'Show Rotor as it stood at a past moment, with the numbers of ' +
              '`rotorctl replay --as-of`. Read-only.'),
          form, error,
          at ? h('p', {}, `Showing sequence ${at.last_sequence} (${time(at.last_recorded_at)}): ` +
              `${at.agent_count} agents, ${at.rollouts.length} rollouts` +
              (at.snapshot_sequence > 0 ? ` (from the snapshot at sequence ${at.snapshot_sequence}` +
                  ` and ${at.events} events after it).` : '.')) :
            null));
}
