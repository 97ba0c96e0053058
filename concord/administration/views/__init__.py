"""Administration pages: the platform's (administrators), an organisation's members (its
managers), and accepting an invitation (anyone with the link)."""

from .invitations import invitation_accept, invite
from .members import members
from .platform import (
    index,
    invitation_revoke,
    merge_organisations,
    merge_undo,
    space_detail,
    space_list,
    token_list,
    token_revoke,
    user_manage,
)

__all__ = [
    "index",
    "invitation_accept",
    "invitation_revoke",
    "invite",
    "members",
    "merge_organisations",
    "merge_undo",
    "space_detail",
    "space_list",
    "token_list",
    "token_revoke",
    "user_manage",
]
