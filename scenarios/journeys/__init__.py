"""The citizen's journeys on a DVCTT portal, one module each, declared with `@journey` (scenarios/journey.py).

Every journey starts from the portal's home page and gets to a function the way a citizen does: by the words on
links, buttons, labels and placeholders (vocabulary.py), not by portal-specific CSS. Registry overrides
(Portal.overrides) take precedence where a portal needs help. Nothing is ever submitted: the network guard aborts
non-GET requests, and no journey presses a final "Nộp"/"Gửi"/"Thanh toán" button or types credentials.
The moves several journeys share (reach a procedure page, use the search) are in scenarios/reach.py.
"""
