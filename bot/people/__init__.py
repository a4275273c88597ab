"""People, their platform identities and their roles (admin, owner, user).

A person is one human across platforms; an identity is (platform, workspace, user id) with an opaque
address and a reachability flag. Imported by flows and services in `bot`.
"""
