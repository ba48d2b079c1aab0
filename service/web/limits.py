"""Rate limits (Flask-Limiter): sign-in attempts per client address. Memory storage suits one process;
several web processes would share a storage URI."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
