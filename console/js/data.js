// Where each screen's numbers come from: the API, now, or, in time travel,
// the same routes with `as_of` (docs/api.md, "Time travel"), which answer as
// Rotor stood at that moment: the numbers of `rotorctl replay --as-of`.
import * as api from './api.js';
import {asOf} from './session.js';

const enc = encodeURIComponent;

// GET `path` with `query`, as of the chosen moment when there is one.
export function read(path, query) {
  const moment = asOf();
  return api.get(path, moment ? {...query, as_of: moment} : query);
}

let cached = {key: null, promise: null};

// The replay at the chosen moment (fetched once per moment): what the audit
// screen says about it.
export function replay() {
  const moment = asOf();
  if (cached.key !== moment) cached = {key: moment, promise: api.get('/v1/replay', {as_of: moment})};
  return cached.promise;
}

export async function rollouts() {
  return (await read('/v1/rollouts')).rollouts;
}

export function rollout(id) {
  return read(`/v1/rollouts/${enc(id)}`);
}

export async function timeline(id) {
  return (await read(`/v1/rollouts/${enc(id)}/timeline`)).entries;
}

export function series(id, points) {
  return read(`/v1/rollouts/${enc(id)}/series`, {points});
}

export async function certificates(dueWithinDays) {
  return (await read('/v1/certificates', {due_within_days: dueWithinDays})).certificates;
}

export function agent(id) {
  return read(`/v1/agents/${enc(id)}`);
}

export function agentTimeline(id, limit) {
  return read(`/v1/agents/${enc(id)}/timeline`, {limit});
}
