"""`interview-coach demo`: the reference chat's mechanisms, run for real and traced.

`scenarios.py` holds the scenarios and the runner, `mermaid.py` turns a trace into a Mermaid
sequence diagram, `clocks.py` a clock a scenario can step. Rendering is the CLI's job.
"""

from interview_coach.chat.demo.scenarios import (
    SCENARIOS,
    Check,
    Scenario,
    ScenarioResult,
    get_scenario,
    run_scenario,
    run_scenario_async,
    scenario_names,
    summary_of,
)

__all__ = [
    "SCENARIOS",
    "Check",
    "Scenario",
    "ScenarioResult",
    "get_scenario",
    "run_scenario",
    "run_scenario_async",
    "scenario_names",
    "summary_of",
]
