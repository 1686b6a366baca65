"""Observers joining a running session from their own screen."""
