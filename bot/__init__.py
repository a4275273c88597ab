"""The engine and the domain of Adoption Coach; it knows no platform.

Everything here is imported by `adapters`, never the reverse: no module in `bot` may import
`adapters`, a platform SDK (slack_bolt, slack_sdk, botbuilder, botframework) or aiohttp.
"""
