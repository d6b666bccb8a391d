// probidad BPMN designer: bpmn-js modeler + properties panel + probidad group,
// talking JSON to the Flask designer API (docs/designer.md).
//
// Page contract:  <div id="designer" data-api="/disenador/api" data-csrf="…"></div>
//                 <aside id="properties"></aside>
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { is } from 'bpmn-js/lib/util/ModelUtil';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import ProbidadPropertiesModule, { spiffworkflowModdle } from './probidad-properties/index.js';
import { makeTranslator } from './i18n.js';
import { makeApi, ApiError } from './api.js';
import { el, modal, formatDate, download } from './ui.js';
import { newDiagramXml } from './template.js';

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const ERROR_MARKER = 'probidad-error';
const PATH_MARKER = 'probidad-path';

function boot() {
  const root = document.getElementById('designer');
  if (!root || root.dataset.probidadMounted) return;
  root.dataset.probidadMounted = '1';
  window.probidadDesigner = new Designer(root, document.getElementById('properties'));
}

class Designer {
  constructor(root, propertiesEl) {
    this.t = makeTranslator(document.documentElement.lang);
    this.api = makeApi(root.dataset.api || '/disenador/api', root.dataset.csrf || '');
    this.meta = { roles: [], forms: [], policies: [] };
    this.markers = { [ERROR_MARKER]: new Set(), [PATH_MARKER]: new Set() };
    this.dirty = false;
    this.busy = false;
    this.source = '';
    this.buildLayout(root, propertiesEl);

    this.modeler = new BpmnModeler({
      container: this.canvasEl,
      propertiesPanel: { parent: this.propertiesEl },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        ProbidadPropertiesModule,
        { probidadMeta: [ 'value', this.meta ], probidadI18n: [ 'value', this.t ] }
      ],
      moddleExtensions: { spiffworkflow: spiffworkflowModdle }
    });
    this.modeler.on('commandStack.changed', () => { this.dirty = true; this.renderTitle(); });
    window.addEventListener('beforeunload', e => {
      if (this.dirty) { e.preventDefault(); e.returnValue = ''; }
    });

    // Resolves once the first diagram is shown and the properties panel is
    // listening (its preact effects run after the next paint).
    this.ready = this.loadMeta()
      .then(() => this.importXml(newDiagramXml(), ''))
      .then(afterPaint);
  }

  // ---- layout -----------------------------------------------------------
  buildLayout(root, propertiesEl) {
    const t = this.t;
    root.classList.add('pd-root');
    root.replaceChildren();
    const button = (key, handler, cls) =>
      el('button', { type: 'button', class: cls, 'data-action': key, text: t('tb.' + key),
        onclick: () => this.run(handler) });
    this.fileInput = el('input', { type: 'file', accept: '.bpmn,.xml,application/xml,text/xml', hidden: true,
      onchange: () => this.run(() => this.uploadFile()) });
    this.titleEl = el('span', { class: 'pd-title' });
    this.toolbar = el('div', { class: 'pd-toolbar', role: 'toolbar' },
      button('new', () => this.newDiagram()),
      button('open', () => this.openDialog()),
      button('upload', () => this.pickFile()),
      button('download', () => this.downloadXml()),
      el('span', { class: 'pd-sep' }),
      button('save', () => this.saveDraft()),
      button('validate', () => this.validate()),
      button('dryrun', () => this.dryRunDialog()),
      button('diff', () => this.diff(false)),
      el('span', { class: 'pd-sep' }),
      button('deploy', () => this.diff(true), 'pd-primary'),
      this.fileInput,
      this.titleEl);
    this.statusEl = el('div', { class: 'pd-status', role: 'status', 'aria-live': 'polite' });
    this.canvasEl = el('div', { class: 'pd-canvas' });
    this.sideEl = el('aside', { class: 'pd-side', hidden: true });
    root.append(this.toolbar, this.statusEl, el('div', { class: 'pd-body' }, this.canvasEl, this.sideEl));
    if (!propertiesEl) {
      propertiesEl = el('div', { id: 'properties' });
      root.after(propertiesEl);
    }
    this.propertiesEl = propertiesEl;
  }

  renderTitle() {
    this.titleEl.textContent = (this.source || this.t('untitled')) + (this.dirty ? ' *' : '');
  }

  setStatus(kind, text) {
    this.statusEl.className = 'pd-status pd-' + kind;
    this.statusEl.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.statusEl.replaceChildren(
      el('span', { text }),
      el('button', { type: 'button', text: '×', 'aria-label': this.t('close'),
        onclick: () => this.statusEl.replaceChildren() }));
  }

  /** Runs a toolbar action: one at a time, errors shown once in the status bar. */
  async run(action) {
    if (this.busy) return;
    this.busy = true;
    this.toolbar.querySelectorAll('button').forEach(b => { b.disabled = true; });
    try {
      await action();
    } catch (err) {
      this.showError(err);
    } finally {
      this.busy = false;
      this.toolbar.querySelectorAll('button').forEach(b => { b.disabled = false; });
    }
  }

  showError(err) {
    if (err instanceof ApiError) {
      if (err.status === 0) this.setStatus('error', this.t('msg.network', { detail: err.message }));
      else this.setStatus('error', this.t('msg.http', { status: err.status, detail: err.message }));
      if (err.body && Array.isArray(err.body.problems)) this.showProblems(err.body.problems);
    } else {
      this.setStatus('error', String((err && err.message) || err));
      if (window.console) console.error(err); // eslint-disable-line no-console
    }
  }

  // ---- model ------------------------------------------------------------
  async loadMeta() {
    try {
      const meta = await this.api.meta();
      for (const k of [ 'roles', 'forms', 'policies' ]) {
        this.meta[k] = Array.isArray(meta && meta[k]) ? meta[k] : [];
      }
    } catch (err) {
      this.setStatus('error', this.t('msg.meta', { detail: err.message }));
    }
  }

  async importXml(xml, source) {
    try {
      const { warnings } = await this.modeler.importXML(xml);
      this.source = source;
      this.dirty = false;
      this.clearMarkers();
      this.hideSide();
      this.modeler.get('canvas').zoom('fit-viewport', 'auto');
      this.renderTitle();
      if (warnings && warnings.length) {
        this.setStatus('info', this.t('msg.import.warnings', { count: warnings.length }));
      } else if (source) {
        this.setStatus('ok', this.t('msg.opened', { name: source }));
      }
      return true;
    } catch (err) {
      this.setStatus('error', this.t('msg.import.error', { error: err.message }));
      return false;
    }
  }

  async getXml() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  processId() {
    const defs = this.modeler.getDefinitions();
    const procs = ((defs && defs.rootElements) || []).filter(e => is(e, 'bpmn:Process'));
    const main = procs.find(p => p.isExecutable) || procs[0];
    if (!main) throw new Error(this.t('msg.noprocess'));
    return main.id;
  }

  /** The canvas element for a BPMN id; a process id maps to its pool. */
  findElement(id) {
    if (!id) return null;
    const registry = this.modeler.get('elementRegistry');
    const found = registry.get(id);
    if (found) return found;
    return registry.find(e => is(e, 'bpmn:Participant') &&
      e.businessObject.processRef && e.businessObject.processRef.id === id) || null;
  }

  focusElement(id) {
    const element = this.findElement(id);
    if (!element) return;
    this.modeler.get('selection').select(element);
    if (!element.waypoints && element.parent) {
      this.modeler.get('canvas').scrollToElement(element, { top: 100, bottom: 100, left: 150, right: 150 });
    } else if (element.waypoints) {
      const { x, y } = element.waypoints[0];
      const vb = this.modeler.get('canvas').viewbox();
      if (x < vb.x || x > vb.x + vb.width || y < vb.y || y > vb.y + vb.height) {
        this.modeler.get('canvas').scrollToElement(element.source || element);
      }
    }
  }

  mark(marker, ids) {
    const canvas = this.modeler.get('canvas');
    for (const id of ids) {
      const element = this.findElement(id);
      if (element && !this.markers[marker].has(element.id)) {
        canvas.addMarker(element, marker);
        this.markers[marker].add(element.id);
      }
    }
  }

  clearMarkers(only) {
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry');
    for (const marker of only ? [ only ] : Object.keys(this.markers)) {
      for (const id of this.markers[marker]) {
        if (registry.get(id)) canvas.removeMarker(id, marker);
      }
      this.markers[marker].clear();
    }
  }

  async confirmDiscard() {
    if (!this.dirty) return true;
    return modal(this.t('tb.new'), (body, foot, close) => {
      body.append(el('p', { text: this.t('confirm.discard') }));
      foot.append(el('button', { type: 'button', class: 'pd-primary', text: this.t('ok'), onclick: () => close(true) }));
    }, { cancelLabel: this.t('cancel') }).then(Boolean);
  }

  // ---- side panel -------------------------------------------------------
  hideSide() {
    this.sideEl.hidden = true;
    this.sideEl.replaceChildren();
  }

  showSide(...sections) {
    this.sideEl.replaceChildren(
      el('button', { type: 'button', class: 'pd-close', text: '×', 'aria-label': this.t('close'),
        onclick: () => { this.hideSide(); this.clearMarkers(); } }),
      ...sections);
    this.sideEl.hidden = false;
  }

  problemSection(problems) {
    const t = this.t;
    const items = problems.map(p => {
      const sev = (p.severity || 'error').toLowerCase();
      const clickable = !!this.findElement(p.element_id);
      return el('li', { class: clickable ? 'pd-clickable' : '', tabindex: clickable ? '0' : null,
        onclick: clickable ? () => this.focusElement(p.element_id) : null,
        onkeydown: clickable ? e => { if (e.key === 'Enter') this.focusElement(p.element_id); } : null },
      el('span', { class: 'pd-sev pd-sev-' + sev, text: sev }),
      el('span', { text: p.message || '' }),
      p.element_id ? el('span', { class: 'pd-el', text: p.element_id }) : null);
    });
    return el('section', { class: 'pd-problems' },
      el('h3', { text: t('problems.title') }),
      items.length ? el('ul', {}, items) : el('p', { text: t('problems.none') }));
  }

  showProblems(problems) {
    this.clearMarkers();
    const list = Array.isArray(problems) ? problems : [];
    this.mark(ERROR_MARKER, list.map(p => p.element_id).filter(Boolean));
    this.showSide(this.problemSection(list));
  }

  // ---- toolbar actions --------------------------------------------------
  async newDiagram() {
    if (!(await this.confirmDiscard())) return;
    await this.importXml(newDiagramXml(), '');
    this.statusEl.replaceChildren();
  }

  pickFile() {
    this.fileInput.value = '';
    this.fileInput.click();
  }

  async uploadFile() {
    const file = this.fileInput.files && this.fileInput.files[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      this.setStatus('error', this.t('msg.toolarge', { max: MAX_UPLOAD_BYTES / 1024 / 1024 }));
      return;
    }
    if (!(await this.confirmDiscard())) return;
    await this.importXml(await file.text(), file.name);
  }

  async downloadXml() {
    const xml = await this.getXml();
    let name = 'diagrama';
    try { name = this.processId(); } catch (e) { /* keep default */ }
    download(name + '.bpmn', xml, 'application/xml');
  }

  async saveDraft() {
    const xml = await this.getXml();
    const res = await this.api.saveDraft(this.processId(), xml);
    this.dirty = false;
    this.source = this.source || this.processId();
    this.renderTitle();
    this.setStatus('ok', this.t('msg.saved', { id: res && res.id }));
  }

  async validate() {
    const res = await this.api.validate(await this.getXml());
    const problems = (res && res.problems) || [];
    this.showProblems(problems);
    if (res && res.ok && !problems.some(p => (p.severity || 'error') === 'error')) {
      this.setStatus('ok', this.t('msg.valid'));
    } else {
      this.setStatus('error', this.t('msg.invalid', { count: problems.length }));
    }
  }

  async openDialog() {
    const t = this.t;
    const [ processes, drafts ] = await Promise.all([
      this.api.processes(),
      this.api.drafts().catch(() => [])
    ]);
    const choice = await modal(t('open.title'), (body, foot, close) => {
      const list = Array.isArray(processes) ? processes : [];
      if (!list.length) body.append(el('p', { text: t('open.none') }));
      const versionSel = el('select', { id: 'pd-open-version' });
      const processSel = el('select', { id: 'pd-open-process', onchange: () => fillVersions() },
        list.map(p => el('option', { value: p.process_id, text: p.process_id })));
      const fillVersions = () => {
        const p = list.find(x => x.process_id === processSel.value);
        const versions = ((p && p.versions) || []).slice().sort((a, b) => b.version - a.version);
        versionSel.replaceChildren(...versions.map(v => el('option', { value: String(v.version),
          text: t('open.version.item', { version: v.version, deployed_at: formatDate(v.deployed_at),
            running_cases: v.running_cases != null ? v.running_cases : '?' }) })));
      };
      fillVersions();
      if (list.length) {
        body.append(
          el('label', { for: 'pd-open-process', text: t('open.process') }), processSel,
          el('label', { for: 'pd-open-version', text: t('open.version') }), versionSel);
        foot.append(el('button', { type: 'button', class: 'pd-primary', text: t('open'),
          onclick: () => versionSel.value && close({ kind: 'deployed', pid: processSel.value, version: versionSel.value }) }));
      }
      const draftList = Array.isArray(drafts) ? drafts : [];
      body.append(el('h3', { text: t('open.drafts') }));
      body.append(draftList.length
        ? el('table', {}, el('tbody', {}, draftList.map(d => el('tr', {},
          el('td', { text: t('open.draft.item', { process_id: d.process_id || '', saved_at: formatDate(d.saved_at),
            author: d.author || '' }) }),
          el('td', {}, el('button', { type: 'button', text: t('open'),
            onclick: () => close({ kind: 'draft', id: d.id, name: d.process_id }) }))))))
        : el('p', { class: 'pd-hint', text: t('open.nodrafts') }));
    }, { cancelLabel: t('cancel') });
    if (!choice || !(await this.confirmDiscard())) return;
    if (choice.kind === 'deployed') {
      const xml = await this.api.processXml(choice.pid, choice.version);
      await this.importXml(typeof xml === 'string' ? xml : String(xml && xml.xml), `${choice.pid} v${choice.version}`);
    } else {
      const draft = await this.api.draft(choice.id);
      await this.importXml(draft && draft.xml, `${draft.process_id || choice.name || ''} (#${choice.id})`.trim());
    }
  }

  async dryRunDialog() {
    const t = this.t;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Lima' }).format(new Date());
    const form = await modal(t('dryrun.title'), (body, foot, close) => {
      const start = el('input', { type: 'date', id: 'pd-dry-start', value: today, required: true });
      const rows = el('div', { class: 'pd-rows' });
      const addRow = (k = '', v = '') => {
        const row = el('div', { class: 'pd-row' },
          el('input', { type: 'text', placeholder: 'clave', value: k, 'aria-label': 'key' }),
          el('input', { type: 'text', placeholder: 'valor', value: v, 'aria-label': 'value' }),
          el('button', { type: 'button', text: t('remove'), onclick: () => row.remove() }));
        rows.append(row);
      };
      addRow();
      const json = el('textarea', { id: 'pd-dry-json', placeholder: '{"procedente": true}', rows: 4 });
      body.append(
        el('label', { for: 'pd-dry-start', text: t('dryrun.start') }), start,
        el('label', { text: t('dryrun.decisions') }), el('p', { class: 'pd-hint', text: t('dryrun.decisions.help') }),
        rows, el('button', { type: 'button', text: t('add'), onclick: () => addRow() }),
        el('label', { for: 'pd-dry-json', text: t('dryrun.json') }), json);
      foot.append(el('button', { type: 'button', class: 'pd-primary', text: t('run'), onclick: () => {
        const decisions = {};
        for (const row of rows.children) {
          const [ k, v ] = row.querySelectorAll('input');
          if (!k.value.trim()) continue;
          try { decisions[k.value.trim()] = JSON.parse(v.value); } catch (e) { decisions[k.value.trim()] = v.value; }
        }
        if (json.value.trim()) {
          try {
            const parsed = JSON.parse(json.value);
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('{…}');
            Object.assign(decisions, parsed);
          } catch (e) {
            json.setCustomValidity(t('dryrun.badjson', { error: e.message }));
            json.reportValidity();
            return;
          }
        }
        close({ start_date: start.value, decisions });
      } }));
      json.addEventListener('input', () => json.setCustomValidity(''));
    }, { cancelLabel: t('cancel') });
    if (!form) return;
    const res = await this.api.dryrun(await this.getXml(), form.start_date, form.decisions);
    this.showDryRun(res || {});
  }

  showDryRun(res) {
    const t = this.t;
    const path = Array.isArray(res.path) ? res.path : [];
    const tasks = Array.isArray(res.tasks) ? res.tasks : [];
    const problems = Array.isArray(res.problems) ? res.problems : [];
    this.clearMarkers();
    this.mark(PATH_MARKER, path.map(p => p.element_id));
    this.mark(ERROR_MARKER, problems.map(p => p.element_id).filter(Boolean));
    const item = (p, extra) => el('li', { class: 'pd-clickable', onclick: () => this.focusElement(p.element_id) },
      el('span', { text: p.name || p.element_id }), extra,
      el('span', { class: 'pd-el', text: `${p.element_id}${p.type ? ' · ' + p.type : ''}` }));
    this.showSide(
      el('section', { class: 'pd-dryrun' },
        el('h3', { text: t('dryrun.tasks') }),
        el('ul', {}, tasks.map(task => item(task, el('span', { class: 'pd-el',
          text: `${t('dryrun.role')}: ${task.role || '—'} · ${t('dryrun.due')}: ${task.due_at ? formatDate(task.due_at) : '—'}` +
            (task.policy ? ` · ${task.policy}` : '') })))),
        el('h3', { text: t('dryrun.path') }),
        el('ol', {}, path.map(p => item(p)))),
      problems.length ? this.problemSection(problems) : null);
    this.setStatus(problems.length ? 'error' : 'ok', this.t('msg.dryrun.done', { steps: path.length, tasks: tasks.length }) +
      (problems.length ? ' ' + this.t('msg.invalid', { count: problems.length }) : ''));
  }

  /** Diff against the running version; with `deploy`, offer to deploy from the dialog. */
  async diff(deploy) {
    const t = this.t;
    const xml = await this.getXml();
    const res = (await this.api.diff(xml)) || {};
    const groups = [
      [ 'added', 'pd-diff-added' ], [ 'removed', 'pd-diff-removed' ],
      [ 'changed', 'pd-diff-changed' ], [ 'deadlines_changed', 'pd-diff-changed' ]
    ];
    const empty = groups.every(([ k ]) => !(res[k] || []).length);
    const go = await modal(t('diff.title'), (body, foot, close) => {
      body.append(el('p', { text: res.against_version != null
        ? t('diff.against', { process_id: res.process_id, version: res.against_version })
        : t('diff.new', { process_id: res.process_id || '' }) }));
      if (empty) body.append(el('p', { text: t('diff.nothing') }));
      for (const [ key, cls ] of groups) {
        const items = res[key] || [];
        if (!items.length) continue;
        const label = key === 'deadlines_changed' ? t('diff.deadlines') : t('diff.' + key);
        body.append(el('h3', { class: cls, text: `${label} (${items.length})` }),
          el('ul', {}, items.map(it => el('li', { text: describeDiffItem(it) }))));
      }
      if (deploy && res.against_version != null) body.append(el('p', { class: 'pd-warn', text: t('diff.running') }));
      if (deploy) {
        foot.append(el('button', { type: 'button', class: 'pd-primary', text: t('deploy.confirm'), onclick: () => close(true) }));
      }
    }, { cancelLabel: deploy ? t('cancel') : t('close') });
    if (!deploy || !go) return;
    try {
      const out = await this.api.deploy(xml);
      this.clearMarkers();
      this.hideSide();
      this.dirty = false;
      this.source = `${out.process_id} v${out.version}`;
      this.renderTitle();
      this.setStatus('ok', t('msg.deployed', { process_id: out.process_id, version: out.version,
        sha: String(out.sha256 || '').slice(0, 12) }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.body && Array.isArray(err.body.problems)) {
        this.showProblems(err.body.problems);
        this.setStatus('error', t('msg.deploy.rejected', { count: err.body.problems.length }));
        return;
      }
      throw err;
    }
  }
}

function afterPaint() {
  return new Promise(resolve => {
    const done = () => setTimeout(resolve, 0);
    const timer = setTimeout(done, 100);
    requestAnimationFrame(() => { clearTimeout(timer); done(); });
  });
}

function describeDiffItem(it) {
  if (it == null) return '';
  if (typeof it !== 'object') return String(it);
  let text = it.name ? `${it.name} (${it.element_id})` : String(it.element_id || '');
  if (it.type) text += ` · ${it.type}`;
  if (Array.isArray(it.fields) && it.fields.length) text += ` · ${it.fields.join(', ')}`;
  if ('before' in it || 'after' in it) text += ` · ${it.before == null ? '—' : it.before} → ${it.after == null ? '—' : it.after}`;
  if (it.detail) text += ` · ${it.detail}`;
  return text;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
