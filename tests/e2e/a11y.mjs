// What the console's browser tests share (tests/e2e/console*.test.mjs): axe-core on a page.
import assert from 'node:assert/strict';
import axe from 'axe-core';

/** Runs axe-core on the page: no serious or critical violation. */
export async function checkA11y(page, what) {
  await page.evaluate(axe.source);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${what}`);
}
