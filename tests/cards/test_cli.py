"""`specwire models` and `specwire cards`: the card catalog on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specwire._cli import build_parser, main
from specwire._generated.registry import PROVIDERS
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.model import OpenAIResponseModel
from specwire.tts import DashScopeTTSModel
from tests.conftest import ROOT


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_prints_a_table_of_every_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "PROVIDER",
        "FAMILY",
        "MODEL",
        "STATUS",
        "CONTEXT",
        "OUTPUT",
        "CAPABILITIES",
        "CLASS",
    ]
    rows = [line.split()[:4] for line in lines[1:]]
    assert ["openai", "chat", "gpt-4o", "deprecated"] in rows
    assert ["dashscope", "tts", "qwen3-tts-flash", "active"] in rows
    assert ["dashscope", "embedding", "text-embedding-v4", "active"] in rows
    # OpenAI's chat cards are listed once per class (Chat Completions and Responses)
    shared = len(list((ROOT / "spec" / "cards" / "openai" / "chat").glob("*.yaml")))
    assert len(rows) == len(list((ROOT / "spec" / "cards").glob("*/*/*.yaml"))) + shared
    responses = [line for line in lines if line.endswith("OpenAIResponseModel")]
    assert len(responses) == shared
    gpt = next(line for line in lines if " gpt-4o " in line)
    assert "128,000" in gpt and "16,384" in gpt and "text image -> text" in gpt


def test_models_filters_by_provider_family_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "models", "dashscope", "--family", "tts")
    names = [line.split()[2] for line in out.splitlines()[1:]]
    assert names == [c.name for c in DashScopeCredential.list_tts_models()]
    assert "25 voices" in out and "realtime" in out
    _, out, _ = _run(capsys, "models", "openai", "--status", "sunset")
    assert {line.split()[3] for line in out.splitlines()[1:]} == {"sunset"}


def test_models_json_is_the_full_cards(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "models", "openai", "--family", "chat", "--json")
    rows = json.loads(out)
    chat_rows = [r for r in rows if r["model_class"] == "OpenAIChatModel"]
    assert code == 0 and [r["name"] for r in chat_rows] == [
        c.name for c in OpenAICredential.list_models()
    ]
    assert [r["name"] for r in rows if r["model_class"] == "OpenAIResponseModel"] == [
        c.name for c in OpenAIResponseModel.list_models()
    ]
    first = rows[0]
    assert first["provider"] == "openai" and first["model_class"] == "OpenAIChatModel"
    assert first["parameter_schema"]["properties"]["max_tokens"]["maximum"] == first["output_size"]
    assert "parameters_overrides" in first and first["source"]


def test_an_unknown_provider_is_an_error_listing_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "models", "acme")
    assert code == 2 and out == "" and "unknown provider 'acme'" in err and "openai" in err


def test_cards_json_groups_cards_by_provider_and_family(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "cards", "--json")
    data = json.loads(out)
    dashscope = next(p for p in data["providers"] if p["id"] == "dashscope")
    assert dashscope["credential"] == "DashScopeCredential"
    assert dashscope["credential_args"] == [{"name": "api_key", "env": "DASHSCOPE_API_KEY"}]
    tts = {e["card"]["name"]: e for e in dashscope["families"]["tts"]}
    assert tts["qwen3-tts-flash"]["model_class"] == "DashScopeTTSModel"
    assert tts["qwen3-tts-flash"]["import_from"] == "specwire.tts"
    assert tts["qwen3-tts-flash"]["card"]["voices"] == next(
        c.voices for c in DashScopeTTSModel.list_models() if c.name == "qwen3-tts-flash"
    )


def test_cards_html_writes_one_self_contained_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "cards", "--html", str(tmp_path / "site"))
    page = (tmp_path / "site" / "index.html").read_text()
    assert code == 0 and f" cards, {len(PROVIDERS)} providers)" in out
    assert (
        "<script src" not in page
        and "<link" not in page
        and "http://" not in page.split("<script")[0]
    )
    catalog = page.split('<script type="application/json" id="catalog">', 1)[1].split(
        "</script>", 1
    )[0]
    assert len(json.loads(catalog)["providers"]) == len(PROVIDERS)
    assert "__CATALOG__" not in page and "/*__SCRIPT__*/" not in page


def test_cards_needs_a_target_and_the_demo_stays_registered() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["cards"])
    assert build_parser().parse_args(["demo"]).command == "demo"


def test_the_console_script_runs() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from specwire._cli import main; sys.exit(main(['models', 'deepseek']))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "deepseek-v4-pro" in done.stdout
