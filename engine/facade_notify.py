"""Engine API methods for the notify feature (a mixin of engine.facade.Engine)."""

from __future__ import annotations


class NotifyApi:
    """Mixin: notify operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""
