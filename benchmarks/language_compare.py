"""Compare language-identification libraries on the texts of `language_bench` (accuracy, texts/s).

Usage: python benchmarks/language_compare.py

Only py3langid is a dependency of crisisbot; the other candidates are measured when installed
(`pip install lingua-language-detector pycld2`), and skipped otherwise. fasttext-langdetect is not
compared: it downloads its model from the internet on first use, which this project cannot rely on.
The figures behind the choice are in the docstring of `detectors/language.py`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.language_bench import groups  # noqa: E402
from detectors.language import detect_language  # noqa: E402


def candidates() -> dict[str, Callable[[str], str]]:
    out: dict[str, Callable[[str], str]] = {"crisisbot (py3langid + layers)": detect_language}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
        out["py3langid"] = lambda t: str(ident.classify(t)[0])
    except ImportError:
        pass
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().build()

        def by_lingua(text: str) -> str:
            found = lingua.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else "und"

        out["lingua (all languages)"] = by_lingua
    except ImportError:
        pass
    try:
        import pycld2

        def by_cld2(text: str) -> str:
            try:
                code = str(pycld2.detect(text)[2][0][1])
            except pycld2.error:
                return "und"
            return "und" if code == "un" else code

        out["pycld2"] = by_cld2
    except ImportError:
        pass
    return out


def main() -> int:
    data = groups()
    for name, fn in candidates().items():
        fn("warm up")
        cells = []
        total_n = 0
        elapsed = 0.0
        for group, (want, texts) in data.items():
            start = time.perf_counter()
            got = [fn(t) for t in texts]
            elapsed += time.perf_counter() - start
            total_n += len(texts)
            acc = sum(g == want for g in got) / len(texts)
            cells.append(f"{group}={acc:.3f}")
        print(f"{name}: {total_n / elapsed:,.0f} texts/s")
        print("   " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
