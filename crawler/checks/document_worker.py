"""The document checks in a process of their own: `python -m portalscore.crawler.checks.document_worker URL TYPE`
reads the file's bytes on stdin and prints one JSON object: {"violations": [...]} or {"not_checked": reason}.

A PDF is input a portal controls, and a PDF parser can be made to loop or to inflate a small file into gigabytes.
Run here, under an address-space limit and killed at its deadline by the caller (crawler/documents.py), a hostile
document costs at most that; the crawl's process never parses one.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from .documents import DocumentNotChecked, check_document


def main() -> int:
    url, content_type = sys.argv[1], sys.argv[2]
    data = sys.stdin.buffer.read()
    try:
        found = check_document(data, content_type, url)
    except DocumentNotChecked as e:
        print(json.dumps({"not_checked": str(e)[:300]}))
        return 0
    except Exception as e:  # a damaged or hostile file: named, not a crash of the crawl
        print(json.dumps({"not_checked": f"unreadable: {type(e).__name__}: {str(e)[:200]}"}))
        return 0
    print(json.dumps({"violations": [dataclasses.asdict(v) for v in found]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
