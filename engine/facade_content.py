"""Engine API methods for the content feature (a mixin of engine.facade.Engine)."""

from __future__ import annotations


class ContentApi:
    """Mixin: content operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""
