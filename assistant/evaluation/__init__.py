"""The eval: does the assistant still answer well and safely? Offline, deterministic, no API key.

The data's way through this package:
  cases.py    eval/cases.yaml → validated `Case` records (errors name the case id and the field)
  support.py  the offline "does this passage support this sentence?" check, calibrated on eval/support_pairs.yaml
  metrics.py  pure metric functions, each returning an overall `score` and per-item `individual_scores`
  run.py      every case through the product's own chain (`Assistant(engine).answer`) → scored `EvalResult`
  gate.py     eval/gate.yaml minimums → pass / fail verdicts
  baseline.py eval/baseline.json, the earlier scores every run shows its change against
  report.py   the console table, result.json and the self-contained report.html (charts.py draws its SVGs)
  command.py  `python -m assistant eval`: load, run, gate, report, exit code

See eval/README.md ("Metrics") for what each number means.
"""
