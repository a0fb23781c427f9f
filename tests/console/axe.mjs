// Runs axe-core in the page and returns its serious and critical violations
// as "rule: target" strings. The script goes in through the DevTools
// protocol (page.evaluate), not a <script> tag, so the page's strict
// Content-Security-Policy stays as it is.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function axeViolations(page) {
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {resultTypes: ['violations']});
    return result.violations.map((v) => ({id: v.id, impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.targets.join(', ')}`);
}
