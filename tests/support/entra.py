"""The loopback Entra ID / Bot Framework identity provider: it lives in `infra/local/entra.py`,
where `make run` uses it for the tab's local sign-on too (infra/local/identity.py)."""

from infra.local.entra import CHANNEL_ISSUER, FakeEntra, Issued, new_key

__all__ = ["CHANNEL_ISSUER", "FakeEntra", "Issued", "new_key"]
