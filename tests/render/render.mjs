// render.mjs - render an md-report markdown file in headless Chromium.
//
//   node render.mjs REPORT.md SCREENSHOT.png [DOM.txt]
//
// Every ```mermaid block is parsed and rendered by the mermaid package in
// a real browser; the script fails (exit 1) on any parse or render error,
// and on an xychart without data points (a line with fewer than two
// points). The markdown around the charts is rendered with marked, so the
// screenshot shows the report as a reader sees it. Prints one line per
// chart: its index, its kind and the points of each line. With DOM.txt,
// writes there what the markdown became outside the charts: one line per
// element name with its count, each link's target, and each attribute
// that is not one marked itself writes (an event handler, a style), so a
// test can tell an element the report meant from one a crafted string
// smuggled in. With LABELS=1 in the environment, each chart's line ends
// in the x axis labels as drawn, joined by |.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { marked } from 'marked';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [, , input, shot, domOut] = process.argv;
if (!input || !shot) {
  console.error('usage: node render.mjs report.md screenshot.png');
  process.exit(2);
}

const md = readFileSync(input, 'utf8');
const charts = [];
const renderer = new marked.Renderer();
const plainCode = renderer.code.bind(renderer);
renderer.code = (token) => {
  if (token.lang !== 'mermaid') return plainCode(token);
  charts.push(token.text);
  return `<div class="chart" data-index="${charts.length - 1}"></div>`;
};
const body = marked.parse(md, { renderer });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8">
    <style>body{font:14px sans-serif;max-width:1040px;margin:20px auto}
    table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}
    .chart{max-width:800px}</style></head><body>${body}</body></html>`);
  if (domOut) {
    const dom = await page.evaluate(() => {
      const counts = {};
      const lines = [];
      for (const el of document.body.querySelectorAll('*')) {
        if (el.closest('.chart')) continue;
        const tag = el.tagName.toLowerCase();
        counts[tag] = (counts[tag] || 0) + 1;
        for (const a of el.attributes) {
          if (tag === 'a' && a.name === 'href') lines.push(`href ${a.value}`);
          else if (!(tag === 'div' && ['class', 'data-index'].includes(a.name))
            && !(['th', 'td'].includes(tag) && a.name === 'align')
            && !(tag === 'code' && a.name === 'class' && a.value === 'language-text'))
            lines.push(`attribute ${tag} ${a.name}`);
        }
      }
      for (const [tag, n] of Object.entries(counts).sort()) lines.push(`element ${tag} ${n}`);
      return lines.sort().join('\n') + '\n';
    });
    writeFileSync(domOut, dom);
  }
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  const results = await page.evaluate(async (sources) => {
    const out = [];
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    for (let i = 0; i < sources.length; i++) {
      const r = { index: i, kind: sources[i].trim().split(/\s/)[0], lines: [], labels: [], error: null };
      try {
        await window.mermaid.parse(sources[i]);
        const { svg } = await window.mermaid.render(`chart${i}`, sources[i]);
        const holder = document.querySelector(`.chart[data-index="${i}"]`);
        holder.innerHTML = svg;
        // xychart draws each line as a path in a group named line-plot-N.
        for (const path of holder.querySelectorAll('[class*="line-plot"] path')) {
          const d = path.getAttribute('d') || '';
          // A line shorter than the axis ends in points without a
          // height (NaN): they are not drawn, so not counted.
          r.lines.push((d.match(/[ML]-?[0-9.]+,-?[0-9.]/g) || []).length);
        }
        for (const t of holder.querySelectorAll('.bottom-axis .label text'))
          r.labels.push(t.textContent);
      } catch (e) {
        r.error = String(e && e.message ? e.message : e);
      }
      out.push(r);
    }
    return out;
  }, charts);
  for (const r of results) {
    console.log(`chart ${r.index}\t${r.kind}\tpoints ${r.lines.join(',') || '-'}`
      + (process.env.LABELS === '1' ? `\tlabels ${r.labels.join('|')}` : '')
      + (r.error ? `\terror ${r.error.split('\n')[0]}` : ''));
    if (r.error) failed = true;
    if (r.kind === 'xychart-beta' && (r.lines.length === 0 || r.lines.some((n) => n < 2)))
      failed = true;
  }
  await page.screenshot({ path: shot, fullPage: true });
} finally {
  await browser.close();
}
if (charts.length === 0) console.log('no charts');
process.exit(failed ? 1 : 0);
