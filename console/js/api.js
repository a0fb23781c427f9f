// The console's client of rotord's public API (docs/api.md): the bearer
// token lives in sessionStorage (never in a URL) and goes in the
// Authorization header; signed in with the client certificate, no token is
// kept and none is sent (the TLS connection carries the certificate).
// Errors become ApiError with the server's message. A 401 anywhere signs
// the user out with that message.

const TOKEN_KEY = 'rotor.token';
const CERTIFICATE_KEY = 'rotor.client_certificate';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let unauthenticated = () => {};

export function onUnauthenticated(handler) {
  unauthenticated = handler;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

// True when the user signed in with the browser's client certificate.
export function usingCertificate() {
  return sessionStorage.getItem(CERTIFICATE_KEY) === 'yes';
}

export function setUsingCertificate(on) {
  if (on) {
    sessionStorage.setItem(CERTIFICATE_KEY, 'yes');
  } else {
    sessionStorage.removeItem(CERTIFICATE_KEY);
  }
}

export function signedIn() {
  return Boolean(token()) || usingCertificate();
}

// Who the connection's client certificate signs in as (GET /v1/whoami
// without a token), or null when rotord recognises none: no mTLS, no
// certificate, or one it refuses.
export async function certificateIdentity() {
  try {
    const res = await fetch('/v1/whoami', {headers: {Accept: 'application/json'},
      cache: 'no-store'});
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

function headers(withBody) {
  const h = {Accept: 'application/json'};
  if (!usingCertificate()) h.Authorization = `Bearer ${token() || ''}`;
  if (withBody) h['Content-Type'] = 'application/json';
  return h;
}

async function failure(res) {
  let code = '';
  let message = `${res.status} ${res.statusText}`;
  let details;
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code;
      message = body.error.message;
      details = body.error.details;
    }
  } catch {
    // not JSON: keep the HTTP status line
  }
  const err = new ApiError(res.status, code, message, details);
  if (res.status === 401) unauthenticated(message);
  return err;
}

// Calls `method path` with an optional JSON body; resolves to the JSON reply.
export async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export function get(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return call('GET', qs ? `${path}?${qs}` : path);
}

// Follows GET /v1/stream (Server-Sent Events) with fetch and a stream
// reader, since EventSource cannot send an Authorization header. Calls
// onProgress(progressJson) for each `event: progress`; reconnects after
// `retry` ms when the connection ends, until `signal` aborts.
export async function follow(onProgress, signal, onState) {
  let retry = 3000;
  while (!signal.aborted) {
    try {
      const res = await fetch('/v1/stream', {headers: headers(false), signal, cache: 'no-store'});
      if (!res.ok) throw await failure(res);
      if (onState) onState('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            else if (line.startsWith('retry:')) retry = Number(line.slice(6)) || retry;
          }
          if (event === 'progress' && data.length) onProgress(JSON.parse(data.join('\n')));
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return;
    }
    if (onState) onState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, retry));
  }
}
