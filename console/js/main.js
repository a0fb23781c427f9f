// The console's shell: sign-in, navigation (hash routes, so no token or
// data ever goes in a path the server sees), who is signed in, and the
// time-travel banner. Each screen is a module with
// render(main, params, signal); `signal` aborts when the user leaves it.
import * as api from './api.js';
import {clear, h, replace} from './dom.js';
import {asOf, canAudit, session, setAsOf} from './session.js';
import * as agents from './screens/agents.js';
import * as audit from './screens/audit.js';
import * as certificates from './screens/certificates.js';
import * as rollout from './screens/rollout.js';
import * as rollouts from './screens/rollouts.js';

const routes = [
  {pattern: /^#\/rollouts\/([^/]+)$/, screen: rollout, nav: 'rollouts'},
  {pattern: /^#\/agents\/([^/]+)$/, screen: agents, nav: 'agents', detail: true},
  {pattern: /^#\/agents$/, screen: agents, nav: 'agents'},
  {pattern: /^#\/certificates$/, screen: certificates, nav: 'certificates'},
  {pattern: /^#\/audit$/, screen: audit, nav: 'audit'},
  {pattern: /^(#\/rollouts)?$/, screen: rollouts, nav: 'rollouts'},
];

const main = document.getElementById('main');
let current = null;  // AbortController of the screen on show
let signInMessage = '';

function navLinks(active) {
  const items = [
    ['rollouts', '#/rollouts', 'Rollouts'],
    ['agents', '#/agents', 'Agents'],
    ['certificates', '#/certificates', 'Certificates'],
  ];
  if (canAudit()) items.push(['audit', '#/audit', 'Audit']);
  return h('ul', {}, items.map(([key, href, label]) =>
    h('li', {}, h('a', {href, 'aria-current': key === active ? 'page' : undefined}, label))));
}

function showBanner() {
  const banner = document.getElementById('banner');
  const moment = asOf();
  if (!moment) {
    clear(banner);
    banner.className = '';
    return;
  }
  banner.className = 'time-travel';
  replace(banner, h('div', {role: 'status'},
      h('strong', {}, `Time travel: Rotor as it stood at ${/^\d+$/.test(moment) ? 'sequence ' : ''}` +
          `${moment}. `),
      'Read-only: no action can be taken here. ',
      h('button', {type: 'button', onclick: () => {
        setAsOf(null);
        route();
      }}, 'Back to now')));
}

function showWho() {
  const who = document.getElementById('who');
  if (!session.who) {
    clear(who);
    return;
  }
  replace(who,
      h('span', {}, 'Signed in as ', h('strong', {id: 'who-name'}, session.who.name), ' ',
          h('span', {class: `role role-${session.who.role}`}, session.who.role),
          api.usingCertificate() ? ' by client certificate' : ''),
      h('button', {type: 'button', class: 'link', onclick: signOut}, 'Sign out'));
}

function signOut(message) {
  api.setToken(null);
  api.setUsingCertificate(false);
  setAsOf(null);
  session.who = null;
  signInMessage = typeof message === 'string' ? message : '';
  route();
}

function signIn() {
  showWho();
  clear(document.getElementById('nav'));
  clear(document.getElementById('banner'));
  const input = h('input', {id: 'token', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false'});
  const form = h('form', {class: 'card signin', 'aria-labelledby': 'signin-title'},
      h('h1', {id: 'signin-title'}, 'Sign in to Rotor'),
      signInMessage ? h('p', {class: 'error', role: 'alert'}, signInMessage) : null,
      h('label', {for: 'token'}, 'Bearer token'),
      input,
      h('p', {class: 'muted'},
          'The token from rotord\'s tokens file. It is kept in this tab only and sent as an ' +
          'Authorization header.'),
      h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    api.setToken(input.value.trim());
    signInMessage = '';
    try {
      session.who = await api.get('/v1/whoami');
      route();
    } catch (err) {
      api.setToken(null);
      signInMessage = err.message;
      signIn();
    }
  });
  const byCertificate = h('div', {});
  replace(main, form, byCertificate);
  input.focus();
  offerCertificate(byCertificate);
}

// Offers "Use my client certificate" when rotord recognises the
// connection's certificate as a person (a role other than agent).
async function offerCertificate(where) {
  const who = await api.certificateIdentity();
  if (!who || who.role === 'agent' || api.signedIn()) return;
  replace(where, h('section', {class: 'card signin', 'aria-labelledby': 'cert-title'},
      h('h2', {id: 'cert-title'}, 'Client certificate'),
      h('p', {}, 'Your browser presents a client certificate that Rotor knows as ',
          h('strong', {}, who.name), ` (${who.role}).`),
      h('button', {type: 'button', class: 'primary', onclick: () => {
        api.setUsingCertificate(true);
        signInMessage = '';
        session.who = who;
        route();
      }}, 'Use my client certificate')));
}

let routing = 0;  // counts route() calls, so that only the latest one draws

async function route() {
  const mine = ++routing;
  if (current) current.abort();
  current = null;
  if (!api.signedIn()) {
    signIn();
    return;
  }
  if (!session.who) {
    try {
      session.who = await api.get('/v1/whoami');
    } catch (err) {
      if (err.status !== 401) replace(main, h('p', {class: 'error', role: 'alert'}, err.message));
      return;
    }
    if (mine !== routing) return;  // the user moved on while we asked
  }
  if (session.who.role === 'agent') {
    signOut('This token has the agent role, which may only send reports: sign in as an admin, ' +
        'operator or auditor.');
    return;
  }
  const hash = location.hash;
  const match = routes.map((r) => [r, hash.match(r.pattern)]).find(([, m]) => m);
  const [r, m] = match || [routes[routes.length - 1], []];
  showWho();
  replace(document.getElementById('nav'), navLinks(r.nav));
  showBanner();
  current = new AbortController();
  const signal = current.signal;
  // Each screen draws into a view of its own: when the user moves on while
  // a screen still awaits its data, its late writes land in a view that is
  // no longer in the page instead of over the next screen.
  const view = h('div', {class: 'view'});
  replace(main, view);
  try {
    await r.screen.render(view, m.slice(1).map(decodeURIComponent), signal);
  } catch (err) {
    if (!signal.aborted && err.status !== 401) {
      view.appendChild(h('p', {class: 'error', role: 'alert'}, err.message));
    }
  }
}

api.onUnauthenticated((message) => signOut(message));
window.addEventListener('hashchange', route);
window.addEventListener('rotor:refresh', route);
route();
