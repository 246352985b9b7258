// node:test reporter that writes the counts `npm test` reads (Playwright's JSON `stats` shape) to
// PLAYWRIGHT_JSON_OUTPUT_NAME, so both editors' end-to-end suites report the same way.
import { writeFileSync } from 'node:fs';

export default async function* statsReporter(source) {
  const stats = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // With --test, the file itself is reported as a test too; only its tests count.
    if (event.data.details?.type === 'suite' || event.data.name === event.data.file) continue;
    if (event.data.skip || event.data.todo) stats.skipped++;
    else if (event.type === 'test:pass') stats.expected++;
    else stats.unexpected++;
  }
  const file = process.env.PLAYWRIGHT_JSON_OUTPUT_NAME;
  if (file) writeFileSync(file, `${JSON.stringify({ stats })}\n`);
  yield `e2e:vscode ${stats.expected} passed, ${stats.unexpected} failed, ${stats.skipped} skipped\n`;
}
