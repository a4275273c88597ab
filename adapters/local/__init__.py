"""The local web chat and terminal chat: the embedded default, the demo and the end-to-end harness."""
