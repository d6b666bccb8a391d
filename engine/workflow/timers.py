"""Timer events driven by the engine's clock and timer table instead of the wall clock.

SpiffWorkflow's TimeDateEventDefinition compares the due instant with `datetime.now()`. probidad
needs the timer table to be the truth (ARCHITECTURE §2.5): a timer fires when the engine's clock
says so, or when the sweep marks it fired. This subclass asks the script engine for `now`.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)

FIRED_FLAG = "event_fired"


class ClockTimeDateEventDefinition(TimeDateEventDefinition):
    """A timeDate timer that consults the engine's clock (script_engine.now)."""

    def has_fired(self, my_task):
        """Fire when marked by the sweep or when the engine's clock passes the due instant."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=event_value)
        now_fn = getattr(my_task.workflow.script_engine, "now", None)
        if now_fn is not None and TimerEventDefinition.parse_time_or_duration(event_value) <= now_fn():
            my_task._set_internal_data(**{FIRED_FLAG: True})
        return my_task._get_internal_data(FIRED_FLAG, False)


class _ClockTimerMixin:
    def parse_timer_event(self, event):
        """Parse timeDate timers into the clock-driven definition; others as SpiffWorkflow does."""
        time_date = first(self.xpath(".//bpmn:timeDate"))
        if time_date is None:
            return super().parse_timer_event(event)
        name = self.node.get("name", self.node.get("id"))
        return ClockTimeDateEventDefinition(
            name, (time_date.text or "").strip(), description=self.get_event_description(event)
        )


class ClockStartEventParser(_ClockTimerMixin, SpiffStartEventParser):
    """Start event parser with clock-driven timers."""


class ClockBoundaryEventParser(_ClockTimerMixin, SpiffBoundaryEventParser):
    """Boundary event parser with clock-driven timers."""


class ClockIntermediateCatchEventParser(_ClockTimerMixin, SpiffIntermediateCatchEventParser):
    """Intermediate catch event parser with clock-driven timers."""
