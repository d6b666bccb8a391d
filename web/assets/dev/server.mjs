// Dev server: the built bundle + a stub of the designer API (docs/designer.md).
//   node dev/server.mjs [port]     then open http://127.0.0.1:8765/
// Sends a strict CSP (like the real app should) so violations show up early.
// ?check=1 runs dev/check.js, which exercises the properties and reports to stdout.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = join(here, '..', '..', 'static');
const port = Number(process.argv[2] || 8765);
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.html': 'text/html' };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const META = {
  roles: [ { id: 'oii', label: 'Oficina de Integridad Institucional' }, { id: 'titular', label: 'Titular de la entidad' } ],
  forms: [ { id: 'evaluar_denuncia', label: 'Evaluar denuncia' }, { id: 'acuse', label: 'Acuse de recibo' } ],
  policies: [ { id: 'denuncia.acuse', label: 'Acuse de recibo', unit: 'días hábiles', length: 3 },
    { id: 'denuncia.evaluacion', label: 'Evaluación', unit: 'días hábiles', length: 15 } ]
};
const drafts = [];
const send = (res, status, body, type = 'application/json') => {
  res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
  res.end(status === 204 ? undefined : type === 'application/json' ? JSON.stringify(body) : body);
};

createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let body = '';
  req.on('data', c => { body += c; });
  req.on('end', () => {
    const p = url.pathname;
    if (p === '/__log') { console.log('[page]', body); return send(res, 204, ''); }
    if (p.startsWith('/disenador/api/')) {
      if (req.method === 'POST') {
        if (req.headers['x-csrftoken'] !== 'dev-csrf-token' || !String(req.headers['content-type']).startsWith('application/json')) {
          return send(res, 403, { error: 'CSRF' });
        }
        body = JSON.parse(body || '{}');
      }
      return api(req.method, p.slice('/disenador/api'.length), body, res);
    }
    if (p === '/' || p === '/index.html') return send(res, 200, readFileSync(join(here, 'index.html')), 'text/html');
    const file = p.startsWith('/dev/') ? join(here, normalize(p.slice(5))) : join(staticDir, normalize(p.replace(/^\/static\//, '')));
    if (!file.startsWith(here) && !file.startsWith(staticDir) || !existsSync(file)) return send(res, 404, { error: 'not found' });
    send(res, 200, readFileSync(file), TYPES[extname(file)] || 'application/octet-stream');
  });
}).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`));

function api(method, path, body, res) {
  const ids = [ ...String(body.xml || '').matchAll(/<bpmn:(\w+) id="([^"]+)"(?: name="([^"]*)")?/g) ];
  const el = type => ids.filter(m => m[1] === type).map(m => ({ element_id: m[2], name: m[3] || m[2], type: m[1] }));
  if (method === 'GET' && path === '/meta') return send(res, 200, META);
  if (method === 'GET' && path === '/processes') {
    return send(res, 200, [ { process_id: 'Proceso_nuevo', versions: [ { version: 1, sha256: 'ab'.repeat(32), deployed_at: '2025-01-02T15:00:00Z', running_cases: 4 } ] } ]);
  }
  if (method === 'GET' && path === '/drafts') return send(res, 200, drafts.map(({ xml, ...d }) => d));
  if (method === 'GET' && path.startsWith('/drafts/')) {
    const d = drafts.find(x => String(x.id) === path.split('/')[2]);
    return d ? send(res, 200, d) : send(res, 404, { error: 'no such draft' });
  }
  if (method === 'GET' && /^\/processes\/[^/]+\/\d+\/xml$/.test(path)) {
    return send(res, 404, { error: 'stub has no stored XML' });
  }
  if (method === 'POST' && path === '/drafts') {
    const d = { id: drafts.length + 1, process_id: body.process_id, xml: body.xml, saved_at: new Date().toISOString(), author: 'dev' };
    drafts.push(d);
    return send(res, 201, { id: d.id });
  }
  if (method === 'POST' && path === '/validate') {
    const problems = el('userTask').filter(t => !new RegExp(`id="${t.element_id}"[^>]*>\\s*<bpmn:extensionElements>`).test(body.xml))
      .map(t => ({ element_id: t.element_id, message: `La tarea ${t.name} no tiene formulario`, severity: 'error' }));
    return send(res, 200, { ok: problems.length === 0, problems });
  }
  if (method === 'POST' && path === '/dryrun') {
    const path_ = [ ...el('startEvent'), ...el('userTask'), ...el('endEvent') ];
    return send(res, 200, { path: path_, problems: [],
      tasks: el('userTask').map(t => ({ ...t, role: 'oii', due_at: body.start_date + 'T22:00:00Z', policy: 'denuncia.evaluacion' })) });
  }
  if (method === 'POST' && path === '/diff') {
    return send(res, 200, { process_id: 'Proceso_nuevo', against_version: 1, added: el('userTask').slice(1), removed: [],
      changed: [ { element_id: 'Tarea_1', name: 'Revisar', type: 'userTask', fields: [ 'formId' ] } ],
      deadlines_changed: [ { element_id: 'Timer_1', name: 'Plazo', before: 'denuncia.acuse', after: 'denuncia.evaluacion' } ] });
  }
  if (method === 'POST' && path === '/deploy') {
    if (!/formId/.test(body.xml)) return send(res, 422, { problems: [ { element_id: 'Tarea_1', message: 'sin formulario', severity: 'error' } ] });
    return send(res, 200, { process_id: 'Proceso_nuevo', version: 2, sha256: 'cd'.repeat(32) });
  }
  send(res, 404, { error: `no stub for ${method} ${path}` });
}
