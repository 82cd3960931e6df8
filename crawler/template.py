"""Page templates, and auditing a sample of each: axe runs on the first few pages of a template.

A DVCTT portal is mostly a handful of templates filled from a database: hundreds of procedure
pages (`chi-tiet-thu-tuc?ma=...`) share one layout, and so share their accessibility faults.
Auditing every one costs a second of CPU each and tells little more than auditing two.
So, per portal and profile, the first `audit_per_template` pages of a template (in crawl order)
are audited; each later page of it gets the audit of the template's first audited page, marked
`sampled_from` (the report says so). `--full-audit` audits every page.

A template is (URL pattern, DOM skeleton), both needed:
- the URL pattern alone puts a DNN portal's `Default.aspx?tabid=N` pages (home, forms, news) in one group;
- the skeleton alone puts a hash-routed app's views in one group (its views are unclassed markup
  inside one shell). Ids in paths and query values are generalised; slugs are not (a news slug and
  a guide page may differ in layout: two groups cost an audit, one wrong group costs a finding).

Which pages are audited must not depend on which load finished first (a resumed run, or the same
site crawled twice, must give the same evidence). Pages reach the axe step in any order, so a page
is audited unless `audit_per_template` pages of its template with a *smaller crawl order* have
already reached it (then it surely is not among the first ones); at the end of the crawl `resolve`
gives every page beyond the first ones its representative's audit, including a page audited early
by that race. The evidence is then a function of the site alone.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
from collections import defaultdict
from urllib.parse import parse_qsl, urlsplit

from portalscore.contract.evidence import Accessibility, PageEvidence

# The skeleton: the set of distinct element paths (tag, classes without digits, role) of elements that
# carry a class or id or are landmarks, tables, forms or headings. A set, so that a list of 3 procedures
# and one of 30 have the same skeleton; text, attributes and counts are left out.
SKELETON_JS = r"""
(maxPaths) => {
  const paths = new Set();
  const skip = new Set(['script', 'style', 'noscript', 'template', 'svg', 'br', 'wbr']);
  const state = /^(active|current|selected|open|show|in|collapsed|hidden|focus)$/;
  const marked = /^(header|nav|main|footer|aside|form|section|article|h1|h2|table|iframe|dialog)$/;
  const walk = (el, prefix, depth) => {
    for (const c of el.children) {
      if (paths.size >= maxPaths) return;
      const tag = c.localName;
      if (skip.has(tag)) continue;
      const cls = [...c.classList].map(x => x.replace(/[0-9]+/g, '')).filter(x => x && !state.test(x)).sort();
      const role = c.getAttribute('role');
      const path = prefix + '>' + tag + (cls.length ? '.' + cls.join('.') : '') + (role ? '[' + role + ']' : '');
      if (cls.length || c.id || role || marked.test(tag)) paths.add(path);
      if (depth < 16) walk(c, path, depth + 1);
    }
  };
  if (document.body) walk(document.body, 'body', 0);
  return [...paths].sort().join('\n');
}
"""
MAX_SKELETON_PATHS = 5000

# The accessibility of a page whose audit is to be its template's, until `resolve` gives it that audit.
PENDING = "template sample pending"
# ... and what `resolve` gives it when no page of the template could be audited.
UNRESOLVED = "not audited: sampled by template, and no page of the template could be audited"

_NUMERIC = re.compile(r"[0-9][0-9.,_\-]*")  # 123, 1.000894, 2024-05-01
_HEX_ID = re.compile(r"(?=.*[0-9])[0-9a-fA-F\-]{8,}")  # Mongo ObjectIds, UUIDs, hashes
_MIXED_ID = re.compile(r"(?=(?:[^0-9]*[0-9]){3})[A-Za-z0-9]{6,}")  # TTHC000101-style codes, base62 keys


def _segment(seg: str) -> str:
    stem, dot, ext = seg.rpartition(".") if re.fullmatch(r".+\.(html?|aspx?|php|jsp|do)", seg) else (seg, "", "")
    if _NUMERIC.fullmatch(stem) or _HEX_ID.fullmatch(stem) or _MIXED_ID.fullmatch(stem):
        stem = "{id}"
    return stem + dot + ext


def _route(path: str) -> str:
    return "/".join(_segment(s) for s in path.split("/"))


def url_pattern(url: str) -> str:
    """/thu-tuc/1.000894?ma=5&lang=vi -> /thu-tuc/{id}?lang&ma; hash routes (#/...) likewise."""
    parts = urlsplit(url)
    pattern = _route(parts.path or "/")
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    if keys:
        pattern += "?" + "&".join(keys)
    if parts.fragment.startswith(("/", "!/")):  # a hash-routed app's route; other fragments are not pages
        route, _, query = parts.fragment.partition("?")
        pattern += "#" + _route(route)
        qkeys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)})
        if qkeys:
            pattern += "?" + "&".join(qkeys)
    return pattern


def template_key(url: str, skeleton: str) -> str:
    """What pages of one template share: a short hash of URL pattern and skeleton."""
    return hashlib.sha256(f"{url_pattern(url)}\n{skeleton}".encode("utf-8", "replace")).hexdigest()[:16]


class TemplateSampler:
    """One portal's audit sampling (all profiles): decides at the axe step, resolves at the end."""

    def __init__(self, per_template: int):
        self.per_template = per_template  # 0: audit every page
        self._seen: dict[tuple[str, str], list[int]] = defaultdict(
            list
        )  # (profile, template) -> smallest crawl orders, sorted

    def should_audit(self, profile: str, template: str, order: int) -> bool:
        """Called once per page that would be audited. False only when enough earlier pages of the
        template are known: then the page cannot be one of the template's first `per_template`."""
        if self.per_template <= 0 or not template or order < 0:
            return True
        # Only the per_template smallest orders matter: the page is audited unless all of them are earlier.
        smallest = self._seen[(profile, template)]
        audit = len(smallest) < self.per_template or smallest[-1] > order
        bisect.insort(smallest, order)
        del smallest[self.per_template :]
        return audit

    def resolve(self, pages: list[PageEvidence], order: dict[str, int]) -> list[PageEvidence]:
        """Give every page beyond its template's first `per_template` the audit of the template's first
        audited page. `order`: crawl order by URL. Returns the pages whose accessibility changed."""
        if self.per_template <= 0:
            return []
        groups: dict[tuple[str, str], list[PageEvidence]] = defaultdict(list)
        for page in pages:
            if page.template and page.error is None and page.url in order and _sampled(page.accessibility):
                groups[(page.profile, page.template)].append(page)
        changed = []
        for group in groups.values():
            group.sort(key=lambda p: order[p.url])
            own = [i < self.per_template and _own(p.accessibility) for i, p in enumerate(group)]
            source = next((p for p, o in zip(group, own) if o and _audited(p.accessibility)), None)
            for page, keep in zip(group, own):
                if keep:
                    continue
                acc = (
                    Accessibility(error=UNRESOLVED)
                    if source is None or source.accessibility is None
                    else dataclasses.replace(source.accessibility, sampled_from=source.url)
                )
                if acc != page.accessibility:
                    page.accessibility = acc
                    changed.append(page)
        return changed


def _sampled(acc: Accessibility | None) -> bool:
    """The page took part in sampling: it reached the axe step (audited, reused, failed or pending);
    not a page left unaudited for its size."""
    if acc is None:
        return False
    return not (acc.error or "").startswith("not audited: ") or acc.error == UNRESOLVED


def _own(acc: Accessibility | None) -> bool:
    """An audit of the page itself (or its failure), not one still to come from or given by its template."""
    return acc is not None and acc.error not in (PENDING, UNRESOLVED) and acc.sampled_from is None


def _audited(acc: Accessibility | None) -> bool:
    return acc is not None and acc.error is None
