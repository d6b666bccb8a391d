// The "probidad" group of the properties panel (bpmn-js-properties-panel v5).
//
//   Lane                     role        -> lane name (the engine maps lane name = role code)
//   UserTask                 form        -> spiffworkflow:property name="formId"
//   timer start/catch/boundary  SLA policy -> timeDate sla_due("POLICY")
//   flow out of XOR/OR gateway  condition -> conditionExpression; default flow toggle
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';
import {
  SelectEntry, isSelectEntryEdited,
  TextAreaEntry, isTextAreaEntryEdited,
  ToggleSwitchEntry, isToggleSwitchEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import {
  FORM_PROPERTY, getSpiffProperty, setSpiffProperty, getTimerDefinition,
  isGatewayFlow, parseSlaExpression, slaExpression, optionsWithCurrent
} from './util';

const LOW_PRIORITY = 400;

export default function ProbidadPropertiesProvider(propertiesPanel, probidadI18n) {
  const t = probidadI18n;

  this.getGroups = function(element) {
    return function(groups) {
      const entries = entriesFor(element);
      if (entries.length) {
        // Right after "General", so the probidad fields are visible first.
        const at = groups.findIndex(g => g.id === 'general');
        groups.splice(at < 0 ? 0 : at + 1, 0, {
          id: 'probidad',
          label: t('group.probidad'),
          shouldOpen: true,
          entries
        });
      }
      return groups;
    };
  };

  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

ProbidadPropertiesProvider.$inject = [ 'propertiesPanel', 'probidadI18n' ];

function entriesFor(element) {
  const bo = getBusinessObject(element);
  if (!bo) return [];
  if (is(bo, 'bpmn:Lane')) {
    return [ { id: 'probidad-role', element, component: RoleEntry, isEdited: isSelectEntryEdited } ];
  }
  if (is(bo, 'bpmn:UserTask')) {
    return [ { id: 'probidad-form', element, component: FormEntry, isEdited: isSelectEntryEdited } ];
  }
  if (getTimerDefinition(element)) {
    return [ { id: 'probidad-sla', element, component: SlaEntry, isEdited: isSelectEntryEdited } ];
  }
  if (isGatewayFlow(element)) {
    return [
      { id: 'probidad-default', element, component: DefaultFlowEntry, isEdited: isToggleSwitchEntryEdited },
      { id: 'probidad-condition', element, component: ConditionEntry, isEdited: isTextAreaEntryEdited }
    ];
  }
  return [];
}

function RoleEntry({ element, id }) {
  const modeling = useService('modeling');
  const meta = useService('probidadMeta');
  const t = useService('probidadI18n');
  const getValue = () => getBusinessObject(element).get('name') || '';
  return <SelectEntry
    id={ id }
    element={ element }
    label={ t('prop.role') }
    description={ t('prop.role.help') }
    getValue={ getValue }
    setValue={ value => modeling.updateProperties(element, { name: value || undefined }) }
    getOptions={ () => optionsWithCurrent(meta.roles, getValue(), t) } />;
}

function FormEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const meta = useService('probidadMeta');
  const t = useService('probidadI18n');
  const getValue = () => {
    const p = getSpiffProperty(getBusinessObject(element), FORM_PROPERTY);
    return (p && p.value) || '';
  };
  return <SelectEntry
    id={ id }
    element={ element }
    label={ t('prop.form') }
    description={ t('prop.form.help') }
    getValue={ getValue }
    setValue={ value => setSpiffProperty(element, FORM_PROPERTY, value, { bpmnFactory, modeling }) }
    getOptions={ () => optionsWithCurrent(meta.forms, getValue(), t) } />;
}

function SlaEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const meta = useService('probidadMeta');
  const t = useService('probidadI18n');
  const policies = (meta.policies || []).map(p => ({
    id: p.id,
    label: p.label + (p.length != null ? ` — ${p.length} ${p.unit || ''}`.trimEnd() : '')
  }));
  const getValue = () => {
    const def = getTimerDefinition(element);
    const td = def && def.get('timeDate');
    return (td && parseSlaExpression(td.get('body'))) || '';
  };
  const setValue = value => {
    const def = getTimerDefinition(element);
    if (!def) return;
    const timeDate = value
      ? bpmnFactory.create('bpmn:FormalExpression', { body: slaExpression(value) })
      : undefined;
    if (timeDate) timeDate.$parent = def;
    // A timer has exactly one of timeDate / timeDuration / timeCycle.
    modeling.updateModdleProperties(element, def, {
      timeDate, timeDuration: undefined, timeCycle: undefined
    });
  };
  const def = getTimerDefinition(element);
  const td = def && def.get('timeDate');
  const raw = td && td.get('body');
  const foreign = (raw && !parseSlaExpression(raw)) || (def && (def.get('timeDuration') || def.get('timeCycle')));
  return <SelectEntry
    id={ id }
    element={ element }
    label={ t('prop.sla') }
    description={ foreign ? t('prop.sla.foreign') : t('prop.sla.help') }
    getValue={ getValue }
    setValue={ setValue }
    getOptions={ () => optionsWithCurrent(policies, getValue(), t) } />;
}

function isDefaultFlow(element) {
  const bo = getBusinessObject(element);
  return !!bo.sourceRef && bo.sourceRef.get('default') === bo;
}

function DefaultFlowEntry({ element, id }) {
  const modeling = useService('modeling');
  const elementRegistry = useService('elementRegistry');
  const t = useService('probidadI18n');
  const setValue = on => {
    const bo = getBusinessObject(element);
    const gateway = elementRegistry.get(bo.sourceRef.id);
    if (!gateway) return;
    if (on) {
      // The default flow is taken when no condition holds; it has none itself.
      if (bo.get('conditionExpression')) {
        modeling.updateProperties(element, { conditionExpression: undefined });
      }
      modeling.updateProperties(gateway, { default: bo });
    } else if (isDefaultFlow(element)) {
      modeling.updateProperties(gateway, { default: undefined });
    }
  };
  return <ToggleSwitchEntry
    id={ id }
    element={ element }
    label={ t('prop.default') }
    switcherLabel={ isDefaultFlow(element) ? t('yes') : t('no') }
    getValue={ () => isDefaultFlow(element) }
    setValue={ setValue } />;
}

function ConditionEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const t = useService('probidadI18n');
  if (isDefaultFlow(element)) {
    return null;
  }
  const getValue = () => {
    const c = getBusinessObject(element).get('conditionExpression');
    return (c && c.get('body')) || '';
  };
  const setValue = value => {
    const text = (value || '').trim();
    let expr;
    if (text) {
      expr = bpmnFactory.create('bpmn:FormalExpression', { body: text });
      expr.$parent = getBusinessObject(element);
    }
    modeling.updateProperties(element, { conditionExpression: expr });
  };
  return <TextAreaEntry
    id={ id }
    element={ element }
    label={ t('prop.condition') }
    description={ t('prop.condition.help') }
    getValue={ getValue }
    setValue={ setValue }
    debounce={ debounce }
    monospace={ true }
    rows={ 3 } />;
}
