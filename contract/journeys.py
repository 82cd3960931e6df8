"""The names of the steps each citizen journey records: the contract between the journeys (scenarios/), which
record them, and the criteria sets, whose `params.steps` say which of them show a criterion's subject.

A step name here is stable: renaming one breaks the criteria sets that count it (the criteria loader checks every
pattern against this table, so a typo is a one-line error, not a silent 0).
"""

from __future__ import annotations

import fnmatch

# How a journey that needs a procedure page got to one: each route is tried in this order until one reaches a page
# that shows a procedure, so that a broken search costs the search criterion only.
ROUTES = ("override", "search", "catalogue", "crawled")

# The steps a journey records on the way to a procedure page, whichever route it took.
REACH_PROCEDURE_STEPS = (
    "open_procedure",  # the registry's URL (route override)
    "find_search",
    "search",
    "open_result",  # route search
    "find_catalogue",
    "open_catalogue_entry",  # route catalogue: the procedure list, then one of its procedures
    "open_crawled_procedure",  # route crawled: a procedure page the crawl found
    "reach_procedure",  # recorded failed when no route reached a procedure page
)
PROCEDURE_ITEM_STEPS = (
    "has_thanh_phan_ho_so",
    "has_trinh_tu_cach_thuc_thuc_hien",
    "has_thoi_han_giai_quyet",
    "has_phi_le_phi",
    "has_co_quan_thuc_hien",
    "has_can_cu_phap_ly",
)

JOURNEY_STEPS: dict[str, tuple[str, ...]] = {
    "home": ("open_home", "https", "title", "main_navigation", "visible_search"),
    "search_procedure": ("open_home", "find_search", "search", "open_result"),
    "procedure_detail": ("open_home", *REACH_PROCEDURE_STEPS, *PROCEDURE_ITEM_STEPS, "service_level"),
    "online_submission": (
        "open_home",
        "open_submission",
        *REACH_PROCEDURE_STEPS,
        "find_submit",
        "sign_in",
        "vneid_offered",
    ),
    "dossier_lookup": ("open_home", "find_lookup", "find_input", "submit_code", "answer"),
    "online_payment": ("open_home", "find_payment", "payment_page"),
    "feedback": ("open_home", "find_feedback", "feedback_channel"),
    "help": ("open_home", "help_channel"),
    "mobile": (
        "open_home",
        "home_no_horizontal_scroll",
        "readable_text",
        "tap_targets",
        "menu",
        *REACH_PROCEDURE_STEPS,
        "procedure_no_horizontal_scroll",
    ),
    "keyboard": ("open_home", "skip_link", "no_keyboard_trap", "navigation_reachable", "focus_visible"),
    "privacy": ("open_home", "find_privacy", "privacy_page"),
}

# The steps that show each journey's subject, by default: what a `scenario_steps.<journey>` criterion counts unless
# its `params.steps` says otherwise. Getting there (opening the home page, finding a search box) proves nothing
# about the subject and earns nothing.
SUBJECT_STEPS: dict[str, tuple[str, ...]] = {
    "home": ("https", "title", "main_navigation", "visible_search"),
    "search_procedure": ("search", "open_result"),
    "procedure_detail": ("has_*",),
    "online_submission": ("sign_in", "vneid_offered"),
    "dossier_lookup": ("submit_code", "answer"),
    "online_payment": ("payment_page",),
    "feedback": ("feedback_channel",),
    "help": ("help_channel",),
    "mobile": ("home_no_horizontal_scroll", "readable_text", "tap_targets", "menu", "procedure_no_horizontal_scroll"),
    "keyboard": ("skip_link", "no_keyboard_trap", "navigation_reachable", "focus_visible"),
    "privacy": ("privacy_page",),
}


def steps_matching(scenario: str, pattern: str) -> tuple[str, ...]:
    """The known steps of a journey that a `params.steps` pattern (a step name, or a glob like 'has_*') names."""
    return tuple(s for s in JOURNEY_STEPS.get(scenario, ()) if fnmatch.fnmatchcase(s, pattern))


def counts(step: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(step, p) for p in patterns)
