"""Use cases: plain functions that take a session, the acting user and the time; they never import Flask."""
