"""Behaviour the CPU optimisations of issue 14 point 6 must keep (found by a review: each failed
before its fix): a refused connection keeps its cause on the direct connector path, and a hidden
template part naming a missing value is still a template error."""

from __future__ import annotations

import sys

import pytest
from msrest.exceptions import ClientRequestError

from cards.render import TemplateError
from tests.e2e.test_fast_connector import bot_claims, fast_auth, message

render_module = sys.modules["cards.render"]


async def test_a_refused_connection_keeps_its_cause_on_the_direct_path_as_through_msrest() -> None:
    # msrest path: ClientRequestError.__cause__ is aiohttp's ClientConnectorError (the notifier's
    # DeliveryFailed chains it, so logs say what failed). DirectConversations raises
    # `Retry(ClientRequestError(...)) from error`, which sets the Retry's cause, not the
    # ClientRequestError's; RetryPolicy re-raises `final from final.__cause__` = from None.
    causes = {}
    for way, extra in (("direct", {}), ("msrest", {"custom_headers": {"x": "y"}})):
        auth = fast_auth()
        try:
            connector = await auth.create_connector_factory(bot_claims("")).create(
                "http://127.0.0.1:9/", None
            )
            with pytest.raises(ClientRequestError) as caught:
                await connector.conversations.send_to_conversation("a:1", message(), **extra)
            causes[way] = type(caught.value.__cause__).__name__
        finally:
            await auth.close()
    assert causes["msrest"] == "ClientConnectorError"
    assert causes["direct"] == causes["msrest"]


def test_a_hidden_property_naming_a_missing_value_is_still_a_template_error() -> None:
    # The old interpreter filled an object's property before checking its `$when`, so a
    # template naming a value the caller does not supply failed even when the part was hidden
    # (tests caught the template bug on every render); the compiled one checks first and
    # renders without it.
    template = {
        "type": "AdaptiveCard",
        "selectAction": {"$when": "${show}", "type": "Action.Execute", "title": "${missing}"},
    }
    fill = render_module._compile(template, key="", container=None)
    root = {"t": {}, "show": False}
    with pytest.raises(TemplateError):
        fill(root, root)
