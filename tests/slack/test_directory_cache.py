"""The Slack adapter's per-process caches (profiles, DM channels) forget the least recently used person
when full, instead of emptying: a rollout larger than the cache keeps its recent people."""

from __future__ import annotations

from adapters.slack.clients import api_client
from adapters.slack.directory import Directory


async def test_a_full_profile_cache_forgets_the_least_recently_used_person() -> None:
    directory = Directory(max_entries=3)
    client = api_client(
        token="xoxb-unused", base_url="http://127.0.0.1:9/", retry_rate_limits=False
    )  # every read below is a hit
    for user in ("U1", "U2", "U3"):
        directory.remember_profile(team="T1", user={"id": user, "real_name": user})
    assert await directory.profile(client=client, team="T1", user="U1") is not None  # U1 is recent again
    directory.remember_profile(team="T1", user={"id": "U4", "real_name": "U4"})
    assert [(("T1", u) in directory._profiles) for u in ("U1", "U2", "U3", "U4")] == [True, False, True, True]
    for user in ("U1", "U2", "U3", "U4"):
        directory.remember_dm(team="T1", user=user, channel=f"D-{user}")
    assert [directory.known_dm(team="T1", user=u) for u in ("U1", "U4")] == [None, "D-U4"]
