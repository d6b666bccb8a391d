// The diagram "New diagram" starts from: one pool with one lane (`oii`, the
// integrity office role), start event -> user task -> end event.
export function newDiagramXml(processId = 'Proceso_nuevo') {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_${processId}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="Nuevo proceso" processRef="${processId}" />
  </bpmn:collaboration>
  <bpmn:process id="${processId}" name="Nuevo proceso" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_oii" name="oii">
        <bpmn:flowNodeRef>Inicio</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Tarea_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Fin</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Inicio" name="Inicio">
      <bpmn:outgoing>Flujo_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Tarea_1" name="Revisar">
      <bpmn:incoming>Flujo_1</bpmn:incoming>
      <bpmn:outgoing>Flujo_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Fin" name="Fin">
      <bpmn:incoming>Flujo_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flujo_1" sourceRef="Inicio" targetRef="Tarea_1" />
    <bpmn:sequenceFlow id="Flujo_2" sourceRef="Tarea_1" targetRef="Fin" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_oii_di" bpmnElement="Lane_oii" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Inicio_di" bpmnElement="Inicio">
        <dc:Bounds x="212" y="162" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="216" y="205" width="28" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Tarea_1_di" bpmnElement="Tarea_1">
        <dc:Bounds x="340" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Fin_di" bpmnElement="Fin">
        <dc:Bounds x="542" y="162" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="550" y="205" width="20" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flujo_1_di" bpmnElement="Flujo_1">
        <di:waypoint x="248" y="180" />
        <di:waypoint x="340" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flujo_2_di" bpmnElement="Flujo_2">
        <di:waypoint x="440" y="180" />
        <di:waypoint x="542" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}
