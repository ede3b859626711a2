"""Reading the log: the ``df.hitl`` accessor (`accessor`), the failure report
(`report`), training exports (`export`), reviewer calibration, agreement and fatigue, and
the policy suggested from past decisions (`suggest`).
"""
