"""Hypothesis settings profiles for the property tests (tests/test_properties.py).

``ci`` (loaded by default) is reproducible and keeps the property file to tens of seconds;
``thorough`` explores many more cases with fresh randomness:
``pytest tests/test_properties.py --hypothesis-profile thorough``.
"""

from hypothesis import HealthCheck, settings

# Each example fits a tiny network: its duration varies with the solver and the BLAS, so no
# deadline; derandomize makes a CI failure replay on every machine.
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")
