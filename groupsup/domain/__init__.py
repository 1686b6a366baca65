"""The domain: the policy's records and rules, in pure Python and pydantic."""
