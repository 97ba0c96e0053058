"""Every write of the roster: one function per use case, through ``concord.core.services``
(audited, permissions re-checked). Candidates and clock steps are parts of their request:
their writes are audited on it. By use case: experts, requests and their clock, alerts and
the shortlist, deployments."""

from .alerts import (  # noqa: F401
    alert,
    alert_link,
    alert_token,
    answer,
    candidate_for_token,
    make_shortlist,
    resend_alert,
    stand_down,
    waive,
)
from .common import ALERT_DAYS, ALERT_SALT, STOOD_DOWN_SHOWN  # noqa: F401
from .deployments import cancel, check_booking, consent, deploy, end, end_lapsed, nominate  # noqa: F401
from .experts import create_expert, expert_rows, rescreen, save_expert  # noqa: F401
from .requests import close_request, record_step, request_rows, save_request  # noqa: F401
