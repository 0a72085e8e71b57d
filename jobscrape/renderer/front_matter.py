"""The site's front-matter dialect of YAML, as a python-frontmatter handler.

Every string is a double-quoted scalar with JSON-style escapes and every list a flow list with
no space after the commas, keys in the order given::

    tags: ["sys admin","engineer","admin"]
    title: "Site Reliability Engineer"

python-frontmatter's stock handler sorts keys and writes block lists, so it cannot write this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring

from frontmatter.default_handlers import YAMLHandler

# JSON leaves these raw, but a YAML reader folds them as line breaks (NEL, LS, PS), refuses them
# as non-printable (DEL, C1 controls, U+FFFE/U+FFFF, surrogates) or eats them (BOM).
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def yaml_string(value: str) -> str:
    """Quote ``value`` as a one-line YAML double-quoted scalar that loads back unchanged."""
    quoted = encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns
    if _YAML_UNSAFE.search(quoted) is None:
        return quoted
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def yaml_value(value: object) -> str:
    """Quote a string, or a list of strings as a flow list."""
    if isinstance(value, str):
        return yaml_string(value)
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return "[" + ",".join(yaml_string(item) for item in items) + "]"
    raise TypeError(f"front matter holds only strings and lists of strings, not {value!r}")


class PostFrontMatterHandler(YAMLHandler):
    """Writes front matter in the site's dialect; reads it with the stock YAML loader."""

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        lines = []
        for key, value in metadata.items():
            if not KEY.match(key):
                raise ValueError(f"not a front-matter key: {key!r}")
            lines.append(f"{key}: {yaml_value(value)}")
        return "\n".join(lines)
