"""Machine-translation engines behind one interface, and the choice of engine from settings.

:class:`TranslationEngine` is the whole contract: a ``name``, a ``model`` (or None) and
``translate(text, source=, target=)``. Two engines ship. :class:`HttpEngine` speaks the
LibreTranslate ``POST /translate`` shape (``{q, source, target, format, api_key}`` →
``{translatedText}``), so an institution can point Huizhen at its own LibreTranslate or
at any service that answers the same JSON. :class:`ArgosEngine` runs an offline
Argos Translate (CTranslate2) model, only when ``argostranslate`` is importable and a
zh↔en package is installed. :func:`configured_engine` reads
``HUIZHEN_TRANSLATION_ENGINE`` (``none``, ``http``, ``argos``),
``HUIZHEN_TRANSLATION_URL`` and ``HUIZHEN_TRANSLATION_API_KEY`` from a mapping; ``none``
gives None, which callers read as "queue the text for a human translator".
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from typing import Any, Final, Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

ENGINE_CHOICES: Final = ("none", "http", "argos")
# LibreTranslate's own codes for the two languages Huizhen translates between.
SERVICE_CODES: Final = {"zh": "zh", "en": "en"}
DEFAULT_TIMEOUT_SECONDS: Final = 30.0


class TranslationError(Exception):
    """Base of the errors this package raises."""


class EngineConfigError(TranslationError, ValueError):
    """The configured engine cannot be used: names the setting and what to do."""


class EngineError(TranslationError):
    """An engine failed on one request (service down, refused, bad answer): the text was not translated."""


@runtime_checkable
class TranslationEngine(Protocol):
    name: str
    model: str | None

    def translate(self, text: str, *, source: str, target: str) -> str: ...


def language_code(lang: str) -> str:
    """ "zh", "zh-Hans", "zh_CN" → "zh"; "en", "en-US" → "en"; anything else is refused."""
    lowered = lang.strip().lower().replace("_", "-")
    if lowered == "zh" or lowered.startswith("zh-"):
        return "zh"
    if lowered == "en" or lowered.startswith("en-"):
        return "en"
    raise EngineConfigError(f"unsupported language {lang!r}: Huizhen translates between 'zh' and 'en'")


class HttpEngine:
    """An institution's translation service answering LibreTranslate's ``/translate`` JSON.

    One request per call, a bounded timeout and no retries: a failing service is
    reported at once (:class:`EngineError`) and the caller queues the text for a human,
    rather than hammering a service that is already in trouble.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        model: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EngineConfigError(f"HUIZHEN_TRANSLATION_URL: {url!r} is not an http(s) URL")
        path = parts.path.rstrip("/")
        # Accept the service's base URL or its /translate endpoint.
        self.endpoint = f"{parts.scheme}://{parts.netloc}{path if path.endswith('/translate') else path + '/translate'}"
        self.api_key = api_key or None
        self.timeout = timeout
        self.model = model
        self.name = f"http:{parts.netloc}{path.removesuffix('/translate')}"

    def translate(self, text: str, *, source: str, target: str) -> str:
        payload: dict[str, str] = {
            "q": text,
            "source": SERVICE_CODES[language_code(source)],
            "target": SERVICE_CODES[language_code(target)],
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(self.endpoint, json=payload)
        except httpx.TimeoutException as exc:
            raise EngineError(f"translation service {self.endpoint} did not answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"translation service {self.endpoint} could not be reached: {exc}") from exc
        body = _json_or_none(response)
        if response.status_code != 200:
            reason = body.get("error") if isinstance(body, dict) else None
            detail = f": {reason}" if isinstance(reason, str) and reason else ""
            raise EngineError(f"translation service {self.endpoint} answered {response.status_code}{detail}")
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if not isinstance(translated, str):
            raise EngineError(f"translation service {self.endpoint} answered without a translatedText string")
        return translated


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class ArgosEngine:
    """An offline Argos Translate (OpenNMT/CTranslate2) model installed on this machine.

    Uses ``argostranslate.translate.get_installed_languages()`` and
    ``Language.get_translation(to)``; the model recorded in provenance is the installed
    package's name and version for the language pair.
    """

    name = "argos"

    def __init__(self) -> None:
        if not argos_available():
            raise EngineConfigError(
                "HUIZHEN_TRANSLATION_ENGINE=argos: the argostranslate package is not installed "
                "(install it and a zh↔en model package, or use 'http' or 'none')"
            )
        package = importlib.import_module("argostranslate.package")
        installed = [(p.from_code, p.to_code, p) for p in package.get_installed_packages()]
        pairs = {(src, dst): p for src, dst, p in installed if {src, dst} == {"zh", "en"}}
        if not pairs:
            raise EngineConfigError(
                "HUIZHEN_TRANSLATION_ENGINE=argos: no zh↔en Argos Translate model package is installed"
            )
        self._packages = pairs
        self.model: str | None = ", ".join(
            f"{src}→{dst} {getattr(p, 'package_version', '?')}" for (src, dst), p in sorted(pairs.items())
        )

    def translate(self, text: str, *, source: str, target: str) -> str:
        src, dst = language_code(source), language_code(target)
        if (src, dst) not in self._packages:
            raise EngineError(f"no Argos Translate model installed for {src}→{dst}")
        translate_module = importlib.import_module("argostranslate.translate")
        languages = {language.code: language for language in translate_module.get_installed_languages()}
        translation = languages[src].get_translation(languages[dst]) if src in languages and dst in languages else None
        if translation is None:
            raise EngineError(f"Argos Translate has no {src}→{dst} translation loaded")
        result = translation.translate(text)
        if not isinstance(result, str):
            raise EngineError("Argos Translate returned no text")
        return result


def argos_available() -> bool:
    """Whether ``argostranslate`` can be imported here (a model package is checked separately)."""
    return importlib.util.find_spec("argostranslate") is not None


def configured_engine(settings: Mapping[str, str]) -> TranslationEngine | None:
    """The engine the settings name, or None for ``none`` (texts go to the human queue).

    Raises :class:`EngineConfigError` naming the setting when the choice cannot work
    (unknown engine, ``http`` without a URL, ``argos`` without the package or a model).
    """
    choice = (settings.get("HUIZHEN_TRANSLATION_ENGINE") or "none").strip().lower()
    if choice == "none":
        return None
    if choice == "http":
        url = (settings.get("HUIZHEN_TRANSLATION_URL") or "").strip()
        if not url:
            raise EngineConfigError("HUIZHEN_TRANSLATION_URL: required when HUIZHEN_TRANSLATION_ENGINE=http")
        api_key = (settings.get("HUIZHEN_TRANSLATION_API_KEY") or "").strip() or None
        return HttpEngine(url, api_key=api_key)
    if choice == "argos":
        return ArgosEngine()
    raise EngineConfigError(f"HUIZHEN_TRANSLATION_ENGINE: {choice!r} is not one of {', '.join(ENGINE_CHOICES)}")
