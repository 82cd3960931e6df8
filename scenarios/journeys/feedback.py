"""Journey 7: a feedback channel (a form, or the national feedback system) is reachable."""

from __future__ import annotations

from .. import locate
from .. import vocabulary as V
from ..journey import Journey, journey
from ..reach import open_home, reach_step
from ..safety import host_of

# The fields a citizen fills in on the page, <form> or not (many portals send them by script): visible inputs,
# text areas and selects of the content, the site-wide search box and header/footer tools excluded.
_FIELDS_JS = """() => {
  const fields = Array.from(document.querySelectorAll(
      'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]):not([type=reset]), ' +
      'textarea, select'))
    .filter(el => el.checkVisibility() && !el.closest(
      'header, nav, footer, [role=search], [role=banner], [role=navigation], [role=contentinfo]'));
  return {n: fields.length, in_form: fields.filter(el => el.form || el.closest('form')).length};
}"""


@journey(
    "feedback",
    title="Kênh phản ánh, kiến nghị truy cập được",
    title_en="Feedback channel reachable",
    steps=("open_home", "find_feedback", "feedback_channel"),
    subject=("feedback_channel",),
    order=70,
)
def feedback(j: Journey) -> None:
    open_home(j)
    reached = reach_step(j, "find_feedback", "feedback", V.FEEDBACK_ENTRY)
    page = j.page
    with j.step("feedback_channel") as s:
        if reached.offsite:
            s.detail = f"feedback system at {host_of(reached.url)} (not loaded)"
            return
        fields = page.evaluate(_FIELDS_JS)
        national = [
            c
            for c in locate.list_elements(page, ("link",))
            if any(host_of(c.absolute_href(page.url) or "").endswith(h) for h in V.FEEDBACK_HOSTS)
        ]
        n, in_form = fields["n"], fields["in_form"]
        j.require(n or national, "no feedback form and no link to the national feedback system")
        if not n:
            s.detail = f"link to {national[0].href}"
        elif in_form == n:
            s.detail = f"form with {n} field(s)"
        elif in_form == 0:
            s.detail = f"{n} field(s), not in a <form>"  # a script sends them: still a feedback form to a citizen
        else:
            s.detail = f"{n} field(s), {in_form} in a <form>"
