"""The roster's pages."""

from .actions import (  # noqa: F401
    candidate_action,
    deployment_action,
    request_alert,
    request_close,
    request_shortlist,
    request_step,
)
from .alerts import alert_answer  # noqa: F401
from .board import assignment_board, expertise_list, roster_reports  # noqa: F401
from .records import DEPLOYMENTS, EXPERTS, REQUESTS  # noqa: F401
