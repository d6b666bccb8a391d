// bpmn-js module: the probidad properties group. Needs the services
// `probidadMeta` ({roles, forms, policies}) and `probidadI18n` (t function),
// provided as values by the designer app.
import ProbidadPropertiesProvider from './ProbidadPropertiesProvider.jsx';

export { default as spiffworkflowModdle } from './spiffworkflow.json';

export default {
  __init__: [ 'probidadPropertiesProvider' ],
  probidadPropertiesProvider: [ 'type', ProbidadPropertiesProvider ]
};
