"""Engine API methods for the users feature (a mixin of engine.facade.Engine)."""

from __future__ import annotations


class UsersApi:
    """Mixin: users operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""
