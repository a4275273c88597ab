"""What the coach stores about people, for whom, and for how long: the one source of the privacy page.

`statement.py` is data; adapters/web/legal.py renders it. Every table the coach owns is named by exactly
one entry (tests/test_legal.py checks), so a new table cannot be added without saying what it keeps.
Imported by the web adapter only.
"""
