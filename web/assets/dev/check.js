// Self-check run by dev/server.mjs at /?check=1 (headless Chromium): drives
// the designer through every property and toolbar action, and reports to /__log.
(function() {
  if (!/[?&]check=1/.test(location.search)) return;
  const log = msg => fetch('/__log', { method: 'POST', body: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  window.addEventListener('error', e => log('ERROR ' + e.message + ' @' + e.filename + ':' + e.lineno));
  window.addEventListener('unhandledrejection', e => log('REJECTION ' + (e.reason && e.reason.stack || e.reason)));
  document.addEventListener('securitypolicyviolation', e => log('CSP ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const until = async (fn, what) => {
    for (let i = 0; i < 100; i++) { const v = fn(); if (v) return v; await sleep(50); }
    throw new Error('timeout waiting for ' + what);
  };
  const setSelect = (id, value) => {
    const s = document.getElementById('bio-properties-panel-' + id);
    if (!s) throw new Error('no entry ' + id);
    s.value = value; s.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const click = sel => document.querySelector(sel).click();

  (async () => {
    const d = await until(() => window.probidadDesigner, 'designer');
    await d.ready;
    const m = d.modeler;
    const reg = m.get('elementRegistry'), sel = m.get('selection'), modeling = m.get('modeling');
    const bo = id => reg.get(id).businessObject;
    const opts = id => [ ...document.querySelectorAll('#bio-properties-panel-' + id + ' option') ].map(o => o.value).join(',');

    const cnt = ev => { let n = 0, l = m.get('eventBus')._listeners[ev]; while (l) { n++; l = l.next; } return n; };
    log('listeners selection.changed=' + cnt('selection.changed') + ' elements.changed=' + cnt('elements.changed') + ' import.done=' + cnt('import.done'));
    sel.select(reg.get('Lane_oii')); await sleep(100);
    log('groups: ' + [ ...document.querySelectorAll('[data-group-id]') ].map(g => g.dataset.groupId));
    log('lane options: ' + opts('probidad-role'));
    setSelect('probidad-role', 'titular'); await sleep(50);
    log('lane name: ' + bo('Lane_oii').name);

    sel.select(reg.get('Tarea_1')); await sleep(100);
    setSelect('probidad-form', 'evaluar_denuncia'); await sleep(50);
    setSelect('probidad-form', 'acuse'); await sleep(50);

    const start = m.get('bpmnReplace').replaceElement(reg.get('Inicio'),
      { type: 'bpmn:StartEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' });
    sel.select(start); await sleep(100);
    log('policy options: ' + opts('probidad-sla'));
    setSelect('probidad-sla', 'denuncia.acuse'); await sleep(50);

    const task = reg.get('Tarea_1');
    const gw = modeling.appendShape(task, { type: 'bpmn:ExclusiveGateway' }, { x: 480, y: 250 });
    const t2 = modeling.appendShape(gw, { type: 'bpmn:UserTask', businessObject: m.get('bpmnFactory').create('bpmn:UserTask', { id: 'Tarea_2', name: 'Archivar' }) }, { x: 600, y: 250 });
    const flowTo = target => target.incoming.find(c => c.source === gw);
    const f1 = flowTo(t2);
    const f2 = modeling.connect(gw, reg.get('Fin'));
    sel.select(f1); await sleep(100);
    const ta = document.getElementById('bio-properties-panel-probidad-condition');
    ta.value = 'procedente == False'; ta.dispatchEvent(new Event('input', { bubbles: true }));
    await sleep(600);
    sel.select(f2); await sleep(100);
    document.getElementById('bio-properties-panel-probidad-default').click(); await sleep(100);
    log('default: ' + (bo(gw.id).default && bo(gw.id).default.id === f2.id) + ' condition on f1: ' + (bo(f1.id).conditionExpression || {}).body);
    // undo/redo keeps the model consistent
    m.get('commandStack').undo(); m.get('commandStack').redo();

    const xml = await d.getXml();
    log('XML\n' + xml.split('\n').filter(l => /spiffworkflow|timeDate|condition|default=|lane id/.test(l)).join('\n'));

    click('[data-action=save]'); await until(() => /Borrador|Draft/.test(d.statusEl.textContent), 'save');
    log('status: ' + d.statusEl.textContent);

    click('[data-action=deploy]'); const dlg = await until(() => document.querySelector('dialog.pd-dialog'), 'diff dialog');
    log('diff dialog: ' + dlg.textContent.slice(0, 300));
    dlg.querySelector('.pd-primary').click();
    await until(() => /Desplegado|Deployed/.test(d.statusEl.textContent), 'deploy');
    log('status: ' + d.statusEl.textContent);

    click('[data-action=dryrun]'); const dry = await until(() => document.querySelector('dialog.pd-dialog'), 'dry dialog');
    const [ k, v ] = dry.querySelectorAll('.pd-row input'); k.value = 'procedente'; v.value = 'true';
    dry.querySelector('.pd-primary').click();
    await until(() => !d.sideEl.hidden && d.sideEl.querySelector('.pd-dryrun'), 'dry run');
    log('path markers: ' + document.querySelectorAll('.probidad-path').length + ' side: ' + d.sideEl.textContent.slice(0, 200));

    click('[data-action=open]'); const op = await until(() => document.querySelector('dialog.pd-dialog'), 'open dialog');
    log('open dialog: ' + op.textContent.slice(0, 200));
    [ ...op.querySelectorAll('button') ].find(b => /Cancelar|Cancel/.test(b.textContent)).click();
    await sleep(50);

    click('[data-action=validate]');
    await until(() => d.sideEl.querySelector('.pd-problems'), 'validate');
    log('error markers: ' + document.querySelectorAll('.djs-element.probidad-error').length + ' status: ' + d.statusEl.textContent);
    d.sideEl.querySelector('li.pd-clickable').click();
    log('selected after click: ' + m.get('selection').get().map(e => e.id));
    log('DONE'); window.__checkDone = true;
  })().catch(e => { log('FAIL ' + (e.stack || e)); window.__checkDone = true; });
})();
