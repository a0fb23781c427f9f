// Who is signed in (GET /v1/whoami), what their role may do (docs/api.md's
// role table), and the time-travel moment the whole console shows.

const AS_OF_KEY = 'rotor.as_of';

export const session = {
  who: null,  // {name, role}
};

// True when the role may run commands (register, replace, finalize, ...).
export function canAct() {
  const role = session.who && session.who.role;
  return (role === 'admin' || role === 'operator') && !asOf();
}

// True when the role may read the audit routes (verify, replay, events).
export function canAudit() {
  const role = session.who && session.who.role;
  return role === 'admin' || role === 'auditor';
}

// The moment the console shows (a time or a sequence), or null for now.
export function asOf() {
  return sessionStorage.getItem(AS_OF_KEY);
}

export function setAsOf(value) {
  if (value) {
    sessionStorage.setItem(AS_OF_KEY, value);
  } else {
    sessionStorage.removeItem(AS_OF_KEY);
  }
}
