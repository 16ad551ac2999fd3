"""Pydantic wire schemas of the documented Asset API, shared by server and client."""
