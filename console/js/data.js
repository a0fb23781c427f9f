// Where each screen's numbers come from: the live API, or, in time travel,
// GET /v1/replay?as_of= (the same numbers as `rotorctl replay --as-of`).
import * as api from './api.js';
import {asOf} from './session.js';

let cached = {key: null, promise: null};

// The replay at the chosen moment (fetched once per moment).
export function replay() {
  const moment = asOf();
  if (cached.key !== moment) cached = {key: moment, promise: api.get('/v1/replay', {as_of: moment})};
  return cached.promise;
}

export async function rollouts() {
  if (asOf()) return (await replay()).rollouts;
  return (await api.get('/v1/rollouts')).rollouts;
}

export async function rollout(id) {
  if (!asOf()) return api.get(`/v1/rollouts/${encodeURIComponent(id)}`);
  const found = (await replay()).rollouts.find((r) => r.rollout_id === id);
  if (!found) throw new Error(`rollout ${id} did not exist at ${asOf()}`);
  return found;
}

export async function timeline(id) {
  if (asOf()) return (await replay()).timelines[id] || [];
  return (await api.get(`/v1/rollouts/${encodeURIComponent(id)}/timeline`)).entries;
}

export async function certificates(dueWithinDays) {
  if (asOf()) return (await replay()).certificates;
  return (await api.get('/v1/certificates', {due_within_days: dueWithinDays})).certificates;
}
