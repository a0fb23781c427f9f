// The progress chart: agents received (and counted) against log time, as
// an SVG drawn with DOM calls (no inline markup, no library).
const SVG = 'http://www.w3.org/2000/svg';
const W = 720;
const H = 220;
const PAD = {left: 56, right: 16, top: 12, bottom: 30};

function el(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function label(iso) {
  return iso.replace('T', ' ').slice(0, 16);
}

// samples: [{at, received, total}] in time order.
export function progressChart(samples) {
  const last = samples[samples.length - 1];
  const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': samples.length ?
      `Agents received over time: ${samples[0].received} at ${label(samples[0].at)}, ` +
      `${last.received} of ${last.total} at ${label(last.at)}` : 'No progress yet'});
  if (!samples.length) return svg;
  const t0 = Date.parse(samples[0].at);
  const t1 = Math.max(Date.parse(last.at), t0 + 1);
  const top = Math.max(1, ...samples.map((s) => s.total));
  const x = (at) => PAD.left + ((Date.parse(at) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  svg.appendChild(el('line', {x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0), class: 'axis'}));
  svg.appendChild(el('line', {x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: y(0), class: 'axis'}));
  const path = (key) => samples.map((s, i) => `${i ? 'L' : 'M'}${x(s.at).toFixed(1)},` +
      `${y(s[key]).toFixed(1)}`).join(' ');
  svg.appendChild(el('path', {d: path('total'), class: 'line-total'}));
  svg.appendChild(el('path', {d: path('received'), class: 'line-received'}));
  svg.appendChild(el('text', {x: PAD.left - 6, y: y(top) + 4, class: 'tick end'}, top));
  svg.appendChild(el('text', {x: PAD.left - 6, y: y(0) + 4, class: 'tick end'}, 0));
  svg.appendChild(el('text', {x: PAD.left, y: H - 8, class: 'tick'}, label(samples[0].at)));
  svg.appendChild(el('text', {x: W - PAD.right, y: H - 8, class: 'tick end'}, label(last.at)));
  return svg;
}
