// Model helpers shared by the probidad properties entries.
// Everything here reads or writes the BPMN moddle tree; no UI.
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

export const FORM_PROPERTY = 'formId';

const SLA_RE = /^\s*sla_due\(\s*["']([^"'\\]+)["']\s*\)\s*$/;

/** The policy id in `sla_due("ID")`, or null when the text is anything else. */
export function parseSlaExpression(body) {
  const m = SLA_RE.exec(body || '');
  return m ? m[1] : null;
}

/** The timer expression for a policy. Ids are codes like `denuncia.acuse`. */
export function slaExpression(policyId) {
  return `sla_due("${String(policyId).replace(/["\\]/g, '')}")`;
}

export function getTimerDefinition(element) {
  const bo = getBusinessObject(element);
  if (!is(bo, 'bpmn:StartEvent') && !is(bo, 'bpmn:IntermediateCatchEvent') && !is(bo, 'bpmn:BoundaryEvent')) {
    return null;
  }
  return (bo.get('eventDefinitions') || []).find(d => is(d, 'bpmn:TimerEventDefinition')) || null;
}

/** A sequence flow whose source is an exclusive or inclusive gateway. */
export function isGatewayFlow(element) {
  const bo = getBusinessObject(element);
  return is(bo, 'bpmn:SequenceFlow') && !!bo.sourceRef &&
    (is(bo.sourceRef, 'bpmn:ExclusiveGateway') || is(bo.sourceRef, 'bpmn:InclusiveGateway'));
}

export function getSpiffProperties(bo) {
  const ext = bo.get('extensionElements');
  if (!ext) return null;
  return (ext.get('values') || []).find(v => is(v, 'spiffworkflow:Properties')) || null;
}

export function getSpiffProperty(bo, name) {
  const props = getSpiffProperties(bo);
  if (!props) return null;
  return (props.get('properties') || []).find(p => p.name === name) || null;
}

/**
 * Set (or, with an empty value, remove) one spiffworkflow:property, creating
 * extensionElements and spiffworkflow:properties as needed. All changes go
 * through `modeling` so they are undoable.
 */
export function setSpiffProperty(element, name, value, { bpmnFactory, modeling }) {
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');
  let props = getSpiffProperties(bo);
  const existing = getSpiffProperty(bo, name);

  if (!value) {
    if (!existing) return;
    const rest = props.get('properties').filter(p => p !== existing);
    if (rest.length) {
      modeling.updateModdleProperties(element, props, { properties: rest });
    } else {
      const values = ext.get('values').filter(v => v !== props);
      if (values.length) modeling.updateModdleProperties(element, ext, { values });
      else modeling.updateProperties(element, { extensionElements: undefined });
    }
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateProperties(element, { extensionElements: ext });
  }
  const prop = bpmnFactory.create('spiffworkflow:Property', { name, value });
  if (!props) {
    props = bpmnFactory.create('spiffworkflow:Properties', { properties: [ prop ] });
    props.$parent = ext;
    prop.$parent = props;
    modeling.updateModdleProperties(element, ext, { values: [ ...ext.get('values'), props ] });
  } else {
    prop.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: [ ...props.get('properties'), prop ] });
  }
}

/** Options for a select: the known list, plus the current value if unknown. */
export function optionsWithCurrent(items, current, t) {
  const options = [ { value: '', label: t('select.none') } ];
  for (const it of items || []) {
    options.push({ value: it.id, label: it.label ? `${it.label} (${it.id})` : it.id });
  }
  if (current && !(items || []).some(it => it.id === current)) {
    options.push({ value: current, label: t('select.unknown', { id: current }) });
  }
  return options;
}
