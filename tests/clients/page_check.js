// Opens one page in Debian's chromium (playwright-core, executablePath set;
// no browser is downloaded), runs axe-core over it for WCAG 2.2 A and AA, and
// prints one JSON object:
//
//   status      the HTTP status, or null for a file: URL
//   requests    every URL the page asked for besides itself (a
//               self-contained page asks for none)
//   errors      console errors and uncaught exceptions
//   violations  axe's, each {id, impact, help, targets}
//   charts      each svg.chart: {title, width, height, marks} as laid out
//               (marks: rect, circle, path and polyline elements drawn)
//   title       the document's title
//
// and, with SCREENSHOT given, saves a full-page PNG there.
//
// Usage: node page_check.js URL [SCREENSHOT]
//   CHROMIUM=path   the browser (default /usr/bin/chromium)
//
// Used by tests/integration/test_board.py; `npm ci` in this directory
// installs playwright-core and axe-core (scripts/test.sh does).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [url, screenshot] = process.argv.slice(2);
if (!url) {
  process.stderr.write("usage: node page_check.js URL [SCREENSHOT]\n");
  process.exit(2);
}
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  const response = await page.goto(url, { waitUntil: "load" });
  const charts = await page.$$eval("svg.chart", (svgs) =>
    svgs.map((s) => {
      const box = s.getBoundingClientRect();
      return {
        title: s.querySelector("title")?.textContent ?? null,
        width: box.width,
        height: box.height,
        marks: s.querySelectorAll("rect, circle, path, polyline").length,
      };
    }),
  );
  // axe runs inside the page: the one script the check adds, after the
  // requests above were counted.
  await page.addScriptTag({ content: axeSource });
  const axe = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    }),
  );
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  const violations = axe.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
  process.stdout.write(
    JSON.stringify({
      status: url.startsWith("file:") ? null : response.status(),
      requests,
      errors,
      violations,
      charts,
      title: await page.title(),
    }) + "\n",
  );
} finally {
  await browser.close();
}
