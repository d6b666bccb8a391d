"""Engine API methods for the reports feature (a mixin of engine.facade.Engine)."""

from __future__ import annotations


class ReportsApi:
    """Mixin: reports operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""
