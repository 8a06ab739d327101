"""Text encodings: decoding a text file's bytes, and spotting text that is not text.

:func:`decode_text` tries a byte-order mark, UTF-16 without one, UTF-8, then Windows-1252 and Latin-1;
``_MOJIBAKE`` spots a file that mixes UTF-8 with a single-byte encoding; ``_looks_binary`` refuses control
characters.
"""

from __future__ import annotations

import codecs
import re

from simulations.intake.errors import EncodingError

__all__ = ["decode_text"]

#: UTF-8 bytes of accented letters read as Windows-1252/Latin-1 ("Ã©" for "é"): a file mixing encodings.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _guess_utf16(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode text bytes: BOM, UTF-16 without BOM, UTF-8, then Windows-1252, then Latin-1.

    Returns
    -------
    text : str
        Without a byte-order mark.
    codec : str
        The Python codec used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``, ...).
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise EncodingError(f"Unknown encoding '{encoding}'.",
                                hint="Use e.g. utf-8, utf-16, cp1252 or latin-1.") from exc
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"The file is not valid {encoding}: byte {exc.start:,} ({data[exc.start:exc.start + 1]!r}) "
                "cannot be decoded.",
                hint="Leave the encoding empty to detect it, or save the file as CSV UTF-8.",
                details={"position": exc.start},
            ) from exc
        return text.lstrip("\ufeff"), encoding
    candidates: list[str]
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        candidates = ["utf-32"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    elif (guess := _guess_utf16(data)) is not None:
        candidates = [guess]
    else:
        candidates = ["utf-8", "cp1252", "latin-1"]
    last: UnicodeDecodeError | None = None
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        return text, codec
    assert last is not None  # latin-1 decodes any byte string: only a BOM/UTF-16 candidate gets here
    raise EncodingError(
        f"The file starts like {candidates[0].upper()} text but byte {last.start:,} cannot be decoded: "
        "it may be truncated or mix encodings.",
        hint="Save the file again as CSV UTF-8.", details={"position": last.start},
    )


def _looks_binary(text: str) -> bool:
    sample = text[:100_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or ch in "\ufffd\x7f")
    return bad / len(sample) > 0.01
