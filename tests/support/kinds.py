"""The product's request kinds, as the app factory builds them, for tests that need no app."""

from __future__ import annotations

from bot.domain.kinds import Kinds
from dialogs import product_kinds

KINDS = Kinds(product_kinds())
