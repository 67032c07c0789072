"""Integriteitsbot: Woongroen's code of conduct in Microsoft Teams."""
