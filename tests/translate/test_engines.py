"""Engines: the HTTP engine against a real loopback service, Argos availability, configuration."""

from __future__ import annotations

import pytest

from huizhen.translate.engines import (
    ArgosEngine,
    EngineConfigError,
    EngineError,
    HttpEngine,
    TranslationEngine,
    argos_available,
    configured_engine,
)
from tests.translate.fakes import PhrasebookEngine
from tests.translate.loopback import translation_service


def test_http_engine_posts_the_libretranslate_shape() -> None:
    with translation_service() as service:
        engine = HttpEngine(service.url, api_key="secret-key")
        text = engine.translate("患者诊断为淋巴瘤。", source="zh", target="en")

    assert text == "The patient was diagnosed with 淋巴瘤."
    assert service.paths == ["/translate"]
    assert service.requests == [
        {"q": "患者诊断为淋巴瘤。", "source": "zh", "target": "en", "format": "text", "api_key": "secret-key"}
    ]


def test_http_engine_accepts_the_endpoint_url_as_well_as_the_base() -> None:
    with translation_service() as service:
        HttpEngine(f"{service.url}/translate").translate("。", source="zh", target="en")

    assert service.paths == ["/translate"]


def test_http_engine_sends_no_api_key_when_none_is_set() -> None:
    with translation_service() as service:
        HttpEngine(service.url).translate("。", source="zh-Hans", target="en-US")

    assert service.requests == [{"q": "。", "source": "zh", "target": "en", "format": "text"}]


def test_http_engine_reports_a_refusal_with_the_services_reason() -> None:
    with translation_service() as service, pytest.raises(EngineError, match=r"answered 403: Invalid API key"):
        HttpEngine(service.url, api_key="wrong").translate("。", source="zh", target="en")


def test_http_engine_reports_an_answer_without_translated_text() -> None:
    with (
        translation_service(lambda payload: (200, {"text": "?"})) as service,
        pytest.raises(EngineError, match="without a translatedText"),
    ):
        HttpEngine(service.url).translate("。", source="zh", target="en")


def test_http_engine_reports_a_server_error_page() -> None:
    with (
        translation_service(lambda payload: (502, None)) as service,
        pytest.raises(EngineError, match=r"answered 502$"),
    ):
        HttpEngine(service.url).translate("。", source="zh", target="en")


def test_http_engine_gives_up_after_its_timeout_without_retrying() -> None:
    with translation_service(delay=1.0) as service:
        with pytest.raises(EngineError, match=r"did not answer within 0.2 s"):
            HttpEngine(service.url, timeout=0.2).translate("。", source="zh", target="en")
        requests = len(service.requests)

    assert requests == 1


def test_http_engine_reports_a_service_that_is_not_running() -> None:
    with translation_service() as service:
        url = service.url
    with pytest.raises(EngineError, match="could not be reached"):
        HttpEngine(url, timeout=2).translate("。", source="zh", target="en")


def test_http_engine_names_itself_after_the_service() -> None:
    assert HttpEngine("https://mt.hospital.example/api/translate").name == "http:mt.hospital.example/api"


def test_http_engine_refuses_a_url_that_is_not_http() -> None:
    with pytest.raises(EngineConfigError, match="HUIZHEN_TRANSLATION_URL: 'ftp://mt' is not an http"):
        HttpEngine("ftp://mt")


def test_engines_refuse_languages_other_than_chinese_and_english() -> None:
    with pytest.raises(EngineConfigError, match="unsupported language 'fr'"):
        HttpEngine("http://127.0.0.1:9").translate("bonjour", source="fr", target="en")


def test_none_configures_no_engine() -> None:
    assert configured_engine({"HUIZHEN_TRANSLATION_ENGINE": "none"}) is None
    assert configured_engine({}) is None


def test_http_configures_the_http_engine_with_url_and_key() -> None:
    engine = configured_engine(
        {
            "HUIZHEN_TRANSLATION_ENGINE": "http",
            "HUIZHEN_TRANSLATION_URL": "http://127.0.0.1:5000",
            "HUIZHEN_TRANSLATION_API_KEY": "k",
        }
    )

    assert isinstance(engine, HttpEngine)
    assert engine.endpoint == "http://127.0.0.1:5000/translate"
    assert engine.api_key == "k"


def test_http_without_a_url_is_a_clear_configuration_error() -> None:
    with pytest.raises(
        EngineConfigError, match="HUIZHEN_TRANSLATION_URL: required when HUIZHEN_TRANSLATION_ENGINE=http"
    ):
        configured_engine({"HUIZHEN_TRANSLATION_ENGINE": "http", "HUIZHEN_TRANSLATION_URL": ""})


def test_an_unknown_engine_is_a_clear_configuration_error() -> None:
    with pytest.raises(EngineConfigError, match="HUIZHEN_TRANSLATION_ENGINE: 'deepl' is not one of none, http, argos"):
        configured_engine({"HUIZHEN_TRANSLATION_ENGINE": "deepl"})


@pytest.mark.skipif(argos_available(), reason="argostranslate is installed here")
def test_argos_is_not_available_here() -> None:
    assert not argos_available()


@pytest.mark.skipif(argos_available(), reason="argostranslate is installed here")
def test_argos_without_the_package_is_a_clear_configuration_error() -> None:
    with pytest.raises(EngineConfigError, match="argostranslate package is not installed"):
        configured_engine({"HUIZHEN_TRANSLATION_ENGINE": "argos"})
    with pytest.raises(EngineConfigError):
        ArgosEngine()


def test_engines_and_the_test_fake_satisfy_the_protocol() -> None:
    assert isinstance(HttpEngine("http://127.0.0.1:9"), TranslationEngine)
    assert isinstance(PhrasebookEngine(), TranslationEngine)
