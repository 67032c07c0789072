"""`make bench`: the bot under load, side by side with a stock botbuilder echo and a raw aiohttp
echo, each in its own process, against a loopback Bot Connector. See docs/benchmarks.md.

Adding a scenario is one function in `bench/scenarios.py` decorated with `@scenario(key, title)`.
"""
