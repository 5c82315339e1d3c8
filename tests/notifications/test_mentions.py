"""`@handle` mentions: the syntax (a table of texts), who a handle names, and the highlight."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.notifications import mentions
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "text, handles",
    [
        pytest.param("@maria please look", ["maria"], id="at-start"),
        pytest.param("Thanks @maria.", ["maria"], id="trailing-dot"),
        pytest.param("cc @Maria, @JOE", ["maria", "joe"], id="case-folded"),
        pytest.param("@maria and @maria again", ["maria"], id="duplicate"),
        pytest.param("@joe then @maria then @joe", ["joe", "maria"], id="order-kept"),
        pytest.param("write to maria@acme.example", [], id="email-address"),
        pytest.param("mailto:maria@acme.example", [], id="mailto"),
        pytest.param("see https://x.example/@maria", [], id="url-path"),
        pytest.param("use `@maria` in the template", [], id="code-span"),
        pytest.param("```\n@maria\n```\nthen @joe", ["joe"], id="fenced-block"),
        pytest.param("~~~\n@maria\n~~~", [], id="tilde-fence"),
        pytest.param("`@maria` but @maria", ["maria"], id="code-and-plain"),
        pytest.param("@maria@acme.example said", ["maria@acme.example"], id="whole-address"),
        pytest.param("(@maria) [@joe]", ["maria", "joe"], id="brackets"),
        pytest.param("@j.doe-2 and @a_b", ["j.doe-2", "a_b"], id="local-part-characters"),
        pytest.param("@ alone and @@double", [], id="no-handle"),
        pytest.param("", [], id="empty"),
        pytest.param("no mentions at all", [], id="none"),
    ],
)
def test_parse_finds_the_mentions_of_a_text(text, handles):
    assert mentions.parse(text) == handles


def test_handles_are_local_parts_unless_two_agents_share_one(org, other_org):
    UserFactory(organization=org, name="Maria One", email=f"maria@one-{org.id}.example")
    UserFactory(organization=org, name="Maria Two", email=f"maria@two-{org.id}.example")
    UserFactory(organization=org, name="Joe", email=f"joe.{org.id}@acme.example")
    UserFactory(organization=org, name="Gone", email=f"gone.{org.id}@acme.example", active=False)
    UserFactory(organization=other_org, name="Stranger", email=f"stranger.{org.id}@x.example")

    found = {p.name: p.handle for p in mentions.mentionable(org.id)}

    assert found == {
        "Joe": f"joe.{org.id}",
        "Maria One": f"maria@one-{org.id}.example",
        "Maria Two": f"maria@two-{org.id}.example",
    }


def test_a_mention_names_only_active_agents_of_the_same_organization(org, other_org):
    joe = UserFactory(organization=org, email=f"joe.{org.id}@acme.example")
    viewer = UserFactory(organization=org, role=Role.VIEWER, email=f"vic.{org.id}@acme.example")
    UserFactory(organization=org, email=f"gone.{org.id}@acme.example", active=False)
    stranger = UserFactory(organization=other_org, email=f"eve.{org.id}@acme.example")
    text = (
        f"@joe.{org.id} @vic.{org.id} @gone.{org.id} @eve.{org.id} "
        f"@{stranger.email} @nobody @joe.{org.id}"
    )

    assert mentions.mentioned_ids(org.id, text) == [joe.id, viewer.id]


def test_a_whole_address_names_an_agent_whose_local_part_is_shared(org):
    one = UserFactory(organization=org, email=f"maria@one-{org.id}.example")
    UserFactory(organization=org, email=f"maria@two-{org.id}.example")

    assert mentions.mentioned_ids(org.id, "@maria, any idea?") == []
    assert mentions.mentioned_ids(org.id, f"@maria@one-{org.id}.example any idea?") == [one.id]


@pytest.mark.parametrize(
    "text, html",
    [
        pytest.param("hi @joe!", 'hi <span class="mention">@joe</span>!', id="known"),
        pytest.param("hi @nobody", "hi @nobody", id="unknown-left-plain"),
        pytest.param(
            "<b>@joe</b>",
            '&lt;b&gt;<span class="mention">@joe</span>&lt;/b&gt;',
            id="escaped-around",
        ),
        pytest.param("`@joe` & joe@x.example", "`@joe` &amp; joe@x.example", id="code-and-email"),
    ],
)
def test_highlight_escapes_the_text_and_marks_known_mentions(text, html):
    assert str(mentions.highlight(text, {"joe"})) == html


@pytest.mark.parametrize(
    ("markdown_text", "html"),
    [
        ("Ask @maria", '<p>Ask <span class="mention">@maria</span></p>'),
        ("**@maria** now", '<p><strong><span class="mention">@maria</span></strong> now</p>'),
        ("Not `@maria` here", "<p>Not <code>@maria</code> here</p>"),
        ("@nobody knows", "<p>@nobody knows</p>"),
        ("mail bob@maria.example", "<p>mail bob@maria.example</p>"),
        (
            "[@maria](https://x.example)",
            '<p><a href="https://x.example" rel="noopener nofollow">@maria</a></p>',
        ),
    ],
    ids=["plain", "bold", "code span", "unknown", "address", "link text"],
)
def test_highlight_html_marks_mentions_in_a_rendered_note(markdown_text, html):
    from supportdesk import markdown

    assert str(mentions.highlight_html(markdown.to_html(markdown_text), {"maria": 1})) == html


def test_highlight_html_puts_its_input_through_the_allow_list():
    marked = mentions.highlight_html(
        '<p onclick="x()">@maria</p><script>alert(1)</script>', {"maria"}
    )
    assert "onclick" not in marked and "<script>" not in marked
    assert '<span class="mention">@maria</span>' in marked
