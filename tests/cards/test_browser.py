"""The static card browser in headless Chromium: capabilities, a form from the
parameter_schema, and Parameters(...) code that really builds the model."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from specwire._cli import main
from specwire.tts import DashScopeTTSModel
from tests.cards.cdp import Chromium, chromium_binary


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("browser")
    assert main(["cards", "--html", str(out)]) == 0
    return (out / "index.html").as_uri()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "no chromium binary on PATH (CI installs Debian's chromium); browser checks not run"
        )
    with Chromium(binary) as chromium:
        yield chromium


def _show(browser: Chromium, url: str, model: str) -> None:
    browser.open(f"{url}#{model}")
    assert browser.evaluate("specwireBrowser.state().model") == model.rsplit("/", 1)[1]


def test_a_thinking_model_shows_a_thinking_toggle_and_its_code_builds_the_model(
    browser: Chromium, page_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _show(browser, page_url, "dashscope/chat/qwen3-max")
    toggle = (
        "document.querySelector('input[type=checkbox][role=switch][data-param=thinking_enable]')"
    )
    assert browser.evaluate(f"{toggle} !== null && {toggle}.checked === false")
    assert "Thinking" in browser.evaluate("document.getElementById('capabilities').textContent")
    browser.evaluate(f"{toggle}.click()")
    temperature = "document.querySelector('[data-param=temperature]')"
    browser.evaluate(f"{temperature}.value = '5'; {temperature}.dispatchEvent(new Event('input'))")
    code = browser.evaluate("specwireBrowser.code()")
    assert "# temperature left out: must be ≤ 2" in code
    browser.evaluate(
        f"{temperature}.value = '0.7'; {temperature}.dispatchEvent(new Event('input'))"
    )
    max_tokens = "document.querySelector('[data-param=max_tokens]')"
    assert browser.evaluate(f"{max_tokens}.max") == "65536"  # the card's cap, not the API's
    code = browser.evaluate("specwireBrowser.code()")
    assert "thinking_enable=True," in code and "temperature=0.7," in code and "left out" not in code
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test-not-real")
    namespace: dict[str, object] = {}
    exec(code, namespace)  # the page's code runs as shown
    model = namespace["model"]
    assert model.model == "qwen3-max"  # type: ignore[attr-defined]
    assert model.parameters.thinking_enable is True and model.parameters.temperature == 0.7  # type: ignore[attr-defined]


def test_a_tts_model_shows_a_voice_dropdown_with_its_voices(
    browser: Chromium, page_url: str
) -> None:
    _show(browser, page_url, "dashscope/tts/qwen3-tts-flash")
    (card,) = [c for c in DashScopeTTSModel.list_models() if c.name == "qwen3-tts-flash"]
    options = browser.evaluate("specwireBrowser.options('voice')")
    assert options == ["default (Cherry)", *card.voices]
    browser.evaluate(
        "const v = document.querySelector('select[data-param=voice]');"
        "v.value = JSON.stringify('Ethan'); v.dispatchEvent(new Event('change'))"
    )
    assert 'voice="Ethan",' in browser.evaluate("specwireBrowser.code()")
    assert "from specwire.tts import DashScopeTTSModel" in browser.evaluate(
        "specwireBrowser.code()"
    )


def test_removed_and_hidden_parameters_are_absent_from_the_form(
    browser: Chromium, page_url: str
) -> None:
    _show(browser, page_url, "openai/chat/gpt-5.5")
    fields = browser.evaluate("specwireBrowser.fields()")
    assert "max_tokens" in fields and "reasoning_effort" in fields
    for gone in ("presence_penalty", "frequency_penalty", "temperature", "top_p"):
        assert gone not in fields  # removed (null) or hidden by the card
    note = browser.evaluate("document.getElementById('form-note').textContent")
    assert "temperature" in note and "presence_penalty" in note
    assert browser.evaluate("specwireBrowser.options('reasoning_effort')") == [
        "provider default",
        "none",
        "low",
        "medium",
        "high",
        "xhigh",
    ]


def test_a_sunset_model_is_reachable_by_link_and_marked(browser: Chromium, page_url: str) -> None:
    _show(browser, page_url, "openai/chat/o4-mini")
    assert browser.evaluate("document.querySelector('.badge').textContent") == "sunset"
    assert browser.evaluate("document.getElementById('show-sunset').checked") is True


def test_picking_provider_family_and_model_with_the_selects(
    browser: Chromium, page_url: str
) -> None:
    browser.open(page_url)
    browser.evaluate(
        "const p = document.getElementById('provider'); p.value = 'ollama'; p.dispatchEvent(new Event('change'));"
        "const f = document.getElementById('family'); f.value = 'embedding'; f.dispatchEvent(new Event('change'));"
    )
    state = browser.evaluate("specwireBrowser.state()")
    assert (state["provider"], state["family"]) == ("ollama", "embedding")
    assert browser.evaluate("location.hash") == f"#ollama/embedding/{state['model']}"
    assert "OllamaCredential()" in browser.evaluate(
        "specwireBrowser.code()"
    )  # a local server: no key


def test_search_finds_models_across_providers_and_picks_one(
    browser: Chromium, page_url: str
) -> None:
    browser.open(page_url)
    found = browser.evaluate("specwireBrowser.search('embedding v4')")
    assert "text-embedding-v4" in found
    assert browser.evaluate("specwireBrowser.search('zzz-no-such-model')") == []
    assert "No model matches" in browser.evaluate("document.getElementById('results').textContent")
    browser.evaluate(
        "specwireBrowser.search('text-embedding-v4');"
        "document.querySelector('#results button[data-model=\"text-embedding-v4\"]').click()"
    )
    state = browser.evaluate("specwireBrowser.state()")
    assert (state["provider"], state["family"], state["model"]) == (
        "dashscope",
        "embedding",
        "text-embedding-v4",
    )
    assert browser.evaluate("document.getElementById('results').hidden") is True


def test_models_are_sorted_naturally(browser: Chromium, page_url: str) -> None:
    browser.open(page_url + "#xai/chat/grok-4.3")
    names = browser.evaluate("specwireBrowser.models()")
    # numbers compare as numbers: 4.3 < 4.5 < 4.20 (a plain string sort puts 4.20 first)
    assert (
        names.index("grok-4.3") < names.index("grok-4.5") < names.index("grok-4.20-non-reasoning")
    )
    assert names.index("grok-3-mini") < names.index("grok-4.3")


def test_a_text_only_model_has_no_video_field_and_prices_show(
    browser: Chromium, page_url: str
) -> None:
    _show(browser, page_url, "dashscope/embedding/text-embedding-v4")
    fields = browser.evaluate("specwireBrowser.fields()")
    assert "fps" not in fields and "dimensions" in fields
    assert "Video" not in browser.evaluate("document.getElementById('form').textContent")
    _show(browser, page_url, "dashscope/chat/qwen-plus")
    facts = browser.evaluate("document.getElementById('facts').textContent")
    assert "$0.4 in" in facts and "per 1M tokens" in facts


def test_responses_cards_are_picked_by_class(browser: Chromium, page_url: str) -> None:
    browser.open(page_url + "#openai/chat/gpt-5-mini/OpenAIResponseModel")
    state = browser.evaluate("specwireBrowser.state()")
    assert (state["cls"], state["model"]) == ("OpenAIResponseModel", "gpt-5-mini")
    assert browser.evaluate("document.getElementById('class-picker').hidden") is False
    code = browser.evaluate("specwireBrowser.code()")
    assert "from specwire.model import OpenAIResponseModel" in code
    assert "reasoning_summary" in browser.evaluate("specwireBrowser.fields()")
    browser.evaluate(
        "const c = document.getElementById('class'); c.value = 'OpenAIChatModel';"
        "c.dispatchEvent(new Event('change'))"
    )
    assert browser.evaluate("specwireBrowser.state().cls") == "OpenAIChatModel"
    assert browser.evaluate("location.hash").endswith("/OpenAIChatModel")
    browser.open(page_url + "#dashscope/chat/qwen-plus")
    assert browser.evaluate("document.getElementById('class-picker').hidden") is True


def test_the_page_fits_a_phone_width(page_url: str) -> None:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary on PATH")
    with Chromium(binary, width=375, height=800) as phone:
        for target in ("openai/chat/gpt-5.5", "dashscope/tts/qwen3-tts-flash"):
            phone.open(f"{page_url}#{target}")
            phone.evaluate("specwireBrowser.search('qwen')")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{target}: the page is {width}px wide on a 375px screen"
            widest = phone.evaluate(
                "Math.max(...Array.from(document.querySelectorAll('select, input, section, pre'))"
                ".map((n) => n.getBoundingClientRect().right))"
            )
            assert widest <= 375, f"{target}: a control ends at {widest}px"


def save_screenshot(target: Path) -> None:
    """Write the docs screenshot: ``python -m tests.cards.test_browser docs/card-browser.png``."""
    import tempfile

    binary = chromium_binary()
    assert binary, "no chromium binary"
    with tempfile.TemporaryDirectory() as out, Chromium(binary, width=1500, height=1000) as browser:
        main(["cards", "--html", out])
        browser.open(Path(out, "index.html").as_uri() + "#dashscope/chat/qwen3-max")
        browser.evaluate(
            "document.querySelector('[data-param=thinking_enable]').click();"
            "const t = document.querySelector('[data-param=temperature]'); t.value = '0.7';"
            "t.dispatchEvent(new Event('input'));"
        )
        target.write_bytes(browser.screenshot())


if __name__ == "__main__":
    import sys

    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    save_screenshot(Path(sys.argv[1]))
    print(json.dumps({"written": sys.argv[1]}))
