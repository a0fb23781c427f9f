// Small DOM helpers: elements are built with h(), never from HTML strings,
// so text from the server is always text (no markup injection).

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// A progress bar with a text label: received of total.
export function progressBar(received, total, label) {
  const pct = total > 0 ? (100 * received) / total : 0;
  const bar = h('progress', {max: Math.max(total, 1), value: received, 'aria-label': label});
  return h('span', {class: 'bar'}, bar, h('span', {class: 'pct'}, `${pct.toFixed(1)}%`));
}

// A horizontal bar whose width is `fraction` (0..1), set through the CSSOM
// (the Content-Security-Policy forbids inline style attributes).
export function fillBar(fraction, cls) {
  const fill = h('span', {class: `fill ${cls || ''}`});
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h('span', {class: 'track', 'aria-hidden': 'true'}, fill);
}

export function duration(seconds) {
  if (seconds === undefined || seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function shortFp(fp) {
  return fp ? `${fp.slice(0, 12)}…` : '—';
}

export function time(text) {
  return text ? text.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

// An alert region with the server's own words.
export function errorBox(err) {
  return h('div', {class: 'error', role: 'alert'}, err.message || String(err));
}
