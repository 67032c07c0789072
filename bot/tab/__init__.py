"""The personal tab "Integriteit" (Teams single sign-on, server-rendered pages)."""
