#!/usr/bin/env node
// Accessibility check of a built staffroom site, run by check-html.sh.
//
//   node scripts/axe.js BASE_URL PATH...      e.g. node scripts/axe.js http://127.0.0.1:8000/ / /tags/
//
// With SITE_URL set to the base URL the site was built for (e.g. https://name.github.io/blog/),
// requests for absolute URLs under it (an avatar, say) are answered from BASE_URL, so a
// site built for production can be checked locally.
//
// Loads each page in headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) in light
// and dark colour schemes, runs axe-core with the WCAG 2.0/2.1 A and AA rules and prints
// every violation. Also fails when a page loads anything from another origin, contains a
// <script>, or scrolls sideways on a phone-sized screen. Exit 1 on any problem.
"use strict";

const fs = require("fs");
const { chromium } = require("playwright-core");

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

function usage() {
  console.error("usage: axe.js BASE_URL PATH...");
  process.exit(2);
}

// Checks one page in one colour scheme and viewport; calls report() for each problem.
async function checkPage(browser, { base, origin, siteUrl, axeSource }, url, colorScheme, viewport, report) {
  const where = `${url} [${colorScheme}, ${viewport.name}]`;
  const context = await browser.newContext({
    colorScheme,
    viewport: { width: viewport.width, height: viewport.height },
  });
  try {
    if (siteUrl) {
      await context.route((u) => u.href.startsWith(siteUrl), async (route) => {
        const local = base + route.request().url().slice(siteUrl.length);
        await route.fulfill({ response: await route.fetch({ url: local }) });
      });
    }
    const page = await context.newPage();
    const foreign = [];
    page.on("request", (req) => {
      const u = req.url();
      if (u.startsWith("data:") || (siteUrl && u.startsWith(siteUrl))) return;
      if (new URL(u).origin !== origin) foreign.push(u);
    });
    const response = await page.goto(url, { waitUntil: "load" });
    if (!response || response.status() >= 400) {
      report(where, `HTTP ${response ? response.status() : "no response"}`);
      return;
    }
    for (const u of foreign) report(where, `third-party request to ${u}`);

    const scripts = await page.evaluate(() => document.querySelectorAll("script").length);
    if (scripts > 0) report(where, `${scripts} <script> element(s); the theme must not use JavaScript`);

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    if (overflow > 0) report(where, `page scrolls sideways by ${overflow}px`);

    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
      AXE_TAGS,
    );
    for (const v of result.violations) {
      report(where, `${v.id} (${v.impact}): ${v.help}\n       ${v.helpUrl}`);
      for (const node of v.nodes.slice(0, 10)) {
        console.log(`       at ${node.target.join(" ")}`);
        const summary = (node.failureSummary || "").split("\n").slice(1).join(" ").trim();
        if (summary) console.log(`          ${summary}`);
      }
      if (v.nodes.length > 10) console.log(`       ... and ${v.nodes.length - 10} more`);
    }
    if (result.violations.length === 0) {
      console.log(`ok   ${where}: ${result.passes.length} axe rules pass`);
    }
  } catch (err) {
    report(where, `could not check the page: ${err.message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}

async function main() {
  const [base, ...paths] = process.argv.slice(2);
  if (!base || paths.length === 0) usage();
  const env = {
    base,
    origin: new URL(base).origin,
    siteUrl: process.env.SITE_URL && process.env.SITE_URL !== base ? process.env.SITE_URL : null,
    axeSource: fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"),
  };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });

  let problems = 0;
  const report = (where, message) => {
    problems += 1;
    console.log(`FAIL ${where}: ${message}`);
  };
  try {
    for (const p of paths) {
      const url = new URL(p.replace(/^\//, ""), base).href;
      for (const colorScheme of ["light", "dark"]) {
        for (const viewport of VIEWPORTS) {
          await checkPage(browser, env, url, colorScheme, viewport, report);
        }
      }
    }
  } finally {
    await browser.close();
  }

  if (problems > 0) {
    console.log(`axe: ${problems} problem(s)`);
    process.exit(1);
  }
  console.log("axe: no problems");
}

main().catch((err) => {
  console.error(`axe.js: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
