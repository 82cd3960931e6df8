"""The published report: a static, self-contained, bilingual folder.

    render_report(ReportInput(...), out_dir, lang="vi")

Both languages are always written, because a reader must be able to switch: the language
named by `lang` (Vietnamese by default) sits at the top of out_dir, the other one in a
sub-folder named by its code (out_dir/en/ or out_dir/vi/) with the same layout, and every
page links to its counterpart. Files shared by both languages live once at the top:

    index.html, method.html, portals/<id>.html     the `lang` version
    <other>/index.html, <other>/method.html, ...   the other version
    ranking.json, ranking.csv (UTF-8 with BOM), evidence/<id>.json
    assets/report.css, assets/screenshots/...       (copied from the run's artefacts)

Links are relative, nothing is fetched from the network, so the folder works from file://
and from any web server. Crawled text is escaped (Jinja2 autoescape), only http(s) URLs
become links, and a Content-Security-Policy lets only the report's own inline script run.
"""

from .publisher import Publisher, load_publisher
from .render import ReportInput, operator_dir, render_report
from .views import PreviousRun

__all__ = ["PreviousRun", "Publisher", "ReportInput", "load_publisher", "operator_dir", "render_report"]
