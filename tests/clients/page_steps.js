// Drives one page in Debian's chromium (playwright-core, executablePath set;
// no browser is downloaded) through steps given as JSON, and prints one
// JSON object: {results, requests, errors, dialogs}.
//
//   results   one entry per step, in order (null for steps that answer
//             nothing)
//   requests  every URL asked for besides the pages navigated to (a
//             self-contained page asks for none)
//   errors    console errors and uncaught exceptions
//   dialogs   alert/confirm/prompt messages: a page that escapes what it
//             shows opens none
//
// Steps ({"op": ..., ...}):
//   goto {url}               open url; result: the HTTP status (null for file:)
//   axe                      run axe-core for WCAG 2.0-2.2 A and AA; result:
//                            the violations, each {id, impact, help, targets}
//   charts                   each svg.chart as laid out: {title, width,
//                            height, marks}
//   title                    the document's title
//   text {sel}               the text of the first element matching sel (null
//                            when none)
//   value {sel}              the value of that form field
//   attr {sel, name}         an attribute of it
//   fill {sel, value}        type into a field (a date as YYYY-MM-DD)
//   select {sel, value}      choose an option
//   check {sel}              tick a checkbox
//   click {sel}              click, and wait for the page it leads to; result:
//                            that page's HTTP status and URL
//   screenshot {path, width} a full-page PNG at that viewport width
//
// Usage: node page_steps.js STEPS.json
//   CHROMIUM=path   the browser (default /usr/bin/chromium)
//
// Used by tests/integration/test_board.py and test_manager_page.py; `npm ci`
// in this directory installs playwright-core and axe-core (scripts/test.sh
// does).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [stepsFile] = process.argv.slice(2);
if (!stepsFile) {
  process.stderr.write("usage: node page_steps.js STEPS.json\n");
  process.exit(2);
}
const steps = JSON.parse(readFileSync(stepsFile, "utf8"));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const requests = [];
const errors = [];
const dialogs = [];
const navigated = new Set();
const results = [];
try {
  // bypassCSP: the pages forbid scripts (Content-Security-Policy), and
  // axe-core is one; what the pages ask for is counted all the same.
  const page = await browser.newPage({
    viewport: { width: 1200, height: 900 },
    bypassCSP: true,
  });
  page.on("request", (r) => {
    if (!r.isNavigationRequest()) requests.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  for (const step of steps) {
    let result = null;
    switch (step.op) {
      case "goto": {
        navigated.add(step.url);
        const response = await page.goto(step.url, { waitUntil: "load" });
        result = step.url.startsWith("file:") ? null : response.status();
        break;
      }
      case "axe": {
        await page.addScriptTag({ content: axeSource });
        const axe = await page.evaluate(() =>
          window.axe.run(document, {
            runOnly: {
              type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            },
          }),
        );
        result = axe.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }));
        break;
      }
      case "charts":
        result = await page.$$eval("svg.chart", (svgs) =>
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
        break;
      case "title":
        result = await page.title();
        break;
      case "text": {
        const el = await page.$(step.sel);
        result = el ? (await el.textContent()).replace(/\s+/g, " ").trim() : null;
        break;
      }
      case "value":
        result = await page.inputValue(step.sel);
        break;
      case "attr":
        result = await page.getAttribute(step.sel, step.name);
        break;
      case "fill":
        await page.fill(step.sel, step.value);
        break;
      case "select":
        await page.selectOption(step.sel, step.value);
        break;
      case "check":
        await page.check(step.sel);
        break;
      case "click": {
        const [response] = await Promise.all([
          page.waitForNavigation({ waitUntil: "load" }),
          page.click(step.sel),
        ]);
        result = { status: response ? response.status() : null, url: page.url() };
        break;
      }
      case "screenshot":
        await page.setViewportSize({ width: step.width, height: 900 });
        await page.screenshot({ path: step.path, fullPage: true });
        await page.setViewportSize({ width: 1200, height: 900 });
        break;
      default:
        throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
    results.push(result);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ results, requests, errors, dialogs }) + "\n");
