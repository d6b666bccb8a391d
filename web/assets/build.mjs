// Builds the probidad designer bundle into ../static/designer/.
//
// Output (committed, so `make run` works without npm):
//   designer.js       IIFE, minified, no source map, no external URLs
//   designer.css      bpmn-js + diagram-js + bpmn-font + properties panel + ours
//   fonts/bpmn.woff2, fonts/bpmn.woff   the icon font designer.css references
//   LICENSES.txt      legal comments of the bundled packages
//
// The build is deterministic: same lockfile -> byte-identical output.
// The build fails if the output references a remote URL or exceeds 3 MB.
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'static', 'designer');

// Every URL in the output must be reviewed here. None is fetched at run time:
//  - XML namespace URIs (identifiers, never dereferenced);
//  - the bpmn.io watermark link, which the bpmn-js licence requires to stay in
//    the rendered diagram (an <a href> the user may click, not a resource);
//  - documentation links inside bpmn-js-properties-panel's Camunda/Zeebe
//    tooltips (that code ships in the same dist file and is not tree-shaken,
//    but those providers are never registered) and diagram-js deprecation
//    messages written to the console.
const NAMESPACES = [
  'http://www.w3.org/', 'http://www.omg.org/spec/', 'http://spiffworkflow.org/bpmn/schema/',
  'http://bpmn.io/schema/', 'http://camunda.org/schema/'
];
const INERT_LINKS = [
  'http://bpmn.io', 'https://bpmn.io', 'https://github.com/bpmn-io/', 'https://docs.camunda.io/', 'https://docs.camunda.org/',
  'https://docs.oracle.com/', 'https://json-schema.org/'
];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  logLevel: 'warning',
  legalComments: 'none',
  charset: 'utf8'
};

await esbuild.build({
  ...common,
  entryPoints: { designer: join(here, 'src', 'designer.js') },
  outdir,
  format: 'iife',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.json': 'json' },
  metafile: true
}).then(writeLicenses);

await esbuild.build({
  ...common,
  entryPoints: { designer: join(here, 'src', 'designer.css') },
  outdir,
  loader: { '.woff2': 'file', '.woff': 'file' },
  assetNames: 'fonts/[name]'
});

function writeLicenses(result) {
  // One licence notice per bundled package, instead of inline legal comments.
  const pkgs = new Map();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) pkgs.set(m[1], true);
  }
  let text = 'Third-party packages bundled in designer.js and designer.css\n\n';
  for (const name of [...pkgs.keys(), 'diagram-js', 'bpmn-js'].filter((v, i, a) => a.indexOf(v) === i).sort()) {
    const dir = join(here, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const lic = readdirSync(dir).find(f => /^licen[cs]e/i.test(f));
    text += `==== ${name}@${pkg.version} (${pkg.license || 'see below'})\n`;
    if (lic) text += readFileSync(join(dir, lic), 'utf8').trim() + '\n';
    text += '\n';
  }
  return import('node:fs').then(fs => fs.writeFileSync(join(outdir, 'LICENSES.txt'), text));
}

// ---- verification -------------------------------------------------------
const problems = [];
const inert = new Set();
for (const f of [ 'designer.js', 'designer.css' ]) {
  const text = readFileSync(join(outdir, f), 'utf8');
  for (const m of text.matchAll(/https?:\/\/[^\s"'`)<>\\]*/g)) {
    const url = m[0];
    if (NAMESPACES.some(p => url.startsWith(p))) continue;
    if (INERT_LINKS.some(p => url === p || url.startsWith(p.endsWith('/') ? p : p + '/'))) { inert.add(url); continue; }
    problems.push(`${f}: unreviewed URL ${url}`);
  }
  // Anything the browser would fetch by itself must be same-origin or data:.
  for (const m of text.matchAll(/(?:url\(\s*['"]?|@import\s+['"]|\bsrc\s*=\s*\\?['"]|\bfetch\(\s*['"`])((?:https?:)?\/\/[^'")\s]*)/g)) {
    problems.push(`${f}: remote resource ${m[1]}`);
  }
}
if (inert.size && process.env.PROBIDAD_LIST_URLS) console.log('inert links:\n  ' + [ ...inert ].sort().join('\n  '));
const sizes = {};
for (const f of ['designer.js', 'designer.css', 'fonts/bpmn.woff2', 'fonts/bpmn.woff']) {
  sizes[f] = statSync(join(outdir, f)).size;
}
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
if (total > 3 * 1024 * 1024) problems.push(`bundle too large: ${total} bytes`);

for (const [f, s] of Object.entries(sizes)) console.log(`${f.padEnd(18)} ${(s / 1024).toFixed(1)} KiB`);
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
